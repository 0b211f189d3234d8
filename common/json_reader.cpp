// parseJSON: an iterative JSON parser with limits (json_reader.h).
#include "common/json_reader.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/ConvertUTF.h"

#include <charconv>
#include <cmath>
#include <string>

namespace llmflow {
namespace {

/// One open array or object.
struct Frame {
  llvm::json::Value container = nullptr; // an Array or an Object
  std::string key;                       // objects: the key whose value is being parsed
  size_t buckets = 0;                    // objects: the hash table size llvm::json will have
};

// What llvm::json allocates, for the memory estimate (JSONLimits::maxMemoryBytes).
constexpr size_t kBucketBytes = sizeof(llvm::json::ObjectKey) + sizeof(llvm::json::Value);
constexpr size_t kMinBuckets = 64; // llvm::DenseMap's first allocation
constexpr size_t kSmallString = 15; // longer strings live on the heap

class Parser {
public:
  Parser(llvm::StringRef text, const JSONLimits &limits)
      : start(text.data()), p(text.data()), end(text.data() + text.size()), limits(limits) {}

  llvm::Expected<llvm::json::Value> run();

private:
  llvm::Error error(const llvm::Twine &message, const char *at = nullptr) const;
  void skipSpace() {
    while (p != end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
      ++p;
  }
  llvm::Error parseString(std::string &out);
  llvm::Error parseNumber(llvm::json::Value &out);
  llvm::Error parseLiteral(llvm::json::Value &out);
  llvm::Error parseKey(Frame &f);
  /// Accounts for `bytes` more of the value; an error past the limit.
  llvm::Error charge(size_t bytes);

  const char *start, *p, *end;
  const JSONLimits &limits;
  llvm::SmallVector<Frame, 16> stack;
  size_t memory = 0;
};

llvm::Error Parser::charge(size_t bytes) {
  memory += bytes;
  if (memory <= limits.maxMemoryBytes)
    return llvm::Error::success();
  return error("the value would take more than " + llvm::Twine(limits.maxMemoryBytes) + " bytes in memory");
}

llvm::Error Parser::error(const llvm::Twine &message, const char *at) const {
  if (!at)
    at = p;
  unsigned line = 1;
  const char *lineStart = start;
  for (const char *q = start; q < at; ++q)
    if (*q == '\n') {
      ++line;
      lineStart = q + 1;
    }
  return llvm::createStringError(llvm::inconvertibleErrorCode(), "[%u:%u, byte=%zu]: %s", line,
                                 unsigned(at - lineStart) + 1, size_t(at - start), message.str().c_str());
}

void appendUTF8(std::string &out, uint32_t cp) {
  char buf[4];
  char *q = buf;
  const llvm::UTF32 in[1] = {cp};
  const llvm::UTF32 *inPtr = in;
  llvm::UTF8 *outPtr = reinterpret_cast<llvm::UTF8 *>(q);
  llvm::ConvertUTF32toUTF8(&inPtr, in + 1, &outPtr, reinterpret_cast<llvm::UTF8 *>(buf + 4),
                           llvm::lenientConversion);
  out.append(buf, reinterpret_cast<char *>(outPtr) - buf);
}

bool hex4(const char *s, uint32_t &out) {
  out = 0;
  for (int i = 0; i < 4; ++i) {
    char c = s[i];
    out <<= 4;
    if (c >= '0' && c <= '9')
      out |= uint32_t(c - '0');
    else if (c >= 'a' && c <= 'f')
      out |= uint32_t(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F')
      out |= uint32_t(c - 'A' + 10);
    else
      return false;
  }
  return true;
}

llvm::Error Parser::parseString(std::string &out) {
  const char *open = p;
  ++p; // the opening quote
  out.clear();
  for (;;) {
    // Copy a run of plain bytes at once.
    const char *run = p;
    while (p != end && *p != '"' && *p != '\\' && static_cast<unsigned char>(*p) >= 0x20)
      ++p;
    out.append(run, p - run);
    if (out.size() > limits.maxStringBytes)
      return error("string longer than " + llvm::Twine(limits.maxStringBytes) + " bytes", open);
    if (p == end)
      return error("unterminated string", open);
    char c = *p;
    if (c == '"') {
      ++p;
      return llvm::Error::success();
    }
    if (c != '\\')
      return error("control character in a string");
    if (end - p < 2)
      return error("unterminated string", open);
    char e = p[1];
    p += 2;
    switch (e) {
    case '"': out.push_back('"'); break;
    case '\\': out.push_back('\\'); break;
    case '/': out.push_back('/'); break;
    case 'b': out.push_back('\b'); break;
    case 'f': out.push_back('\f'); break;
    case 'n': out.push_back('\n'); break;
    case 'r': out.push_back('\r'); break;
    case 't': out.push_back('\t'); break;
    case 'u': {
      uint32_t cp;
      if (end - p < 4 || !hex4(p, cp))
        return error("invalid \\u escape", p - 2);
      p += 4;
      if (cp >= 0xD800 && cp <= 0xDBFF) {
        // A high surrogate needs a low one; a lone one becomes U+FFFD, as
        // llvm::json does.
        uint32_t low;
        if (end - p >= 6 && p[0] == '\\' && p[1] == 'u' && hex4(p + 2, low) && low >= 0xDC00 && low <= 0xDFFF) {
          p += 6;
          cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
        } else {
          cp = 0xFFFD;
        }
      } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
        cp = 0xFFFD;
      }
      appendUTF8(out, cp);
      break;
    }
    default: return error(llvm::Twine("invalid escape '\\") + llvm::Twine(e) + "'", p - 2);
    }
  }
}

llvm::Error Parser::parseNumber(llvm::json::Value &out) {
  const char *first = p;
  auto digits = [&] {
    const char *d = p;
    while (p != end && *p >= '0' && *p <= '9')
      ++p;
    return p != d;
  };
  bool integral = true;
  if (p != end && *p == '-')
    ++p;
  if (p != end && *p == '0')
    ++p;
  else if (!digits())
    return error("invalid number", first);
  if (p != end && *p == '.') {
    ++p;
    integral = false;
    if (!digits())
      return error("invalid number: digits must follow '.'", first);
  }
  if (p != end && (*p == 'e' || *p == 'E')) {
    ++p;
    integral = false;
    if (p != end && (*p == '+' || *p == '-'))
      ++p;
    if (!digits())
      return error("invalid number: digits must follow the exponent", first);
  }
  if (integral) {
    int64_t i;
    auto [ptr, ec] = std::from_chars(first, p, i);
    if (ec == std::errc() && ptr == p) {
      out = i;
      return llvm::Error::success();
    }
  }
  double d;
  auto [ptr, ec] = std::from_chars(first, p, d);
  if (ec == std::errc::result_out_of_range) {
    // Underflow to zero (or a denormal) is harmless; overflow to infinity
    // is not a number JSON can carry back out.
    double approx = std::strtod(std::string(first, p).c_str(), nullptr);
    if (std::isinf(approx))
      return error("number out of range", first);
    out = approx;
    return llvm::Error::success();
  }
  if (ec != std::errc() || ptr != p)
    return error("invalid number", first);
  out = d;
  return llvm::Error::success();
}

llvm::Error Parser::parseLiteral(llvm::json::Value &out) {
  llvm::StringRef rest(p, end - p);
  if (rest.startswith("true")) {
    out = true;
    p += 4;
  } else if (rest.startswith("false")) {
    out = false;
    p += 5;
  } else if (rest.startswith("null")) {
    out = nullptr;
    p += 4;
  } else {
    return error(p == end ? "unexpected end of input" : "invalid JSON value");
  }
  return llvm::Error::success();
}

llvm::Error Parser::parseKey(Frame &f) {
  skipSpace();
  if (p == end || *p != '"')
    return error("expected an object key in double quotes");
  const char *keyAt = p;
  if (llvm::Error e = parseString(f.key))
    return e;
  if (f.container.getAsObject()->get(f.key))
    return error("duplicate key '" + llvm::StringRef(f.key).take_front(80) + "'", keyAt);
  skipSpace();
  if (p == end || *p != ':')
    return error("expected ':' after an object key");
  ++p;
  return llvm::Error::success();
}

llvm::Expected<llvm::json::Value> Parser::run() {
  size_t size = size_t(end - start);
  if (size > limits.maxBytes)
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "JSON document of %zu bytes is over the limit of %zu bytes", size,
                                   limits.maxBytes);
  size_t badAt = 0;
  if (!llvm::json::isUTF8(llvm::StringRef(start, size), &badAt))
    return error("invalid UTF-8 sequence", start + badAt);

  llvm::json::Value done = nullptr; // the value just completed
  for (;;) {
    // Parse one value; containers open a frame and continue with their
    // first element (or close at once when empty).
    skipSpace();
    if (p == end)
      return error("unexpected end of input");
    char c = *p;
    bool completed = true;
    if (c == '{' || c == '[') {
      if (stack.size() >= limits.maxDepth)
        return error("nested deeper than " + llvm::Twine(limits.maxDepth) + " levels");
      ++p;
      Frame f;
      if (c == '{')
        f.container = llvm::json::Object();
      else
        f.container = llvm::json::Array();
      stack.push_back(std::move(f));
      skipSpace();
      if (p != end && *p == (c == '{' ? '}' : ']')) {
        ++p;
        done = std::move(stack.back().container);
        stack.pop_back();
      } else if (c == '{') {
        if (llvm::Error e = parseKey(stack.back()))
          return e;
        completed = false;
      } else {
        completed = false;
      }
    } else if (c == '"') {
      std::string s;
      if (llvm::Error e = parseString(s))
        return e;
      done = std::move(s);
    } else if (c == '-' || (c >= '0' && c <= '9')) {
      if (llvm::Error e = parseNumber(done))
        return e;
    } else if (llvm::Error e = parseLiteral(done)) {
      return e;
    }
    if (!completed)
      continue;
    // Hand completed values to their containers, closing those that end.
    for (;;) {
      if (stack.empty()) {
        skipSpace();
        if (p != end)
          return error("text after the end of the JSON document");
        return done;
      }
      Frame &top = stack.back();
      size_t cost = 0;
      if (auto s = done.getAsString(); s && s->size() > kSmallString)
        cost += s->size() + 1;
      if (llvm::json::Object *o = top.container.getAsObject()) {
        cost += top.key.size() > kSmallString ? top.key.size() + 1 + sizeof(std::string) : sizeof(std::string);
        size_t entries = o->size() + 1;
        if (entries * 4 > top.buckets * 3) { // DenseMap grows (and briefly holds both tables)
          size_t grown = std::max(kMinBuckets, top.buckets * 2);
          cost += grown * kBucketBytes;
          top.buckets = grown;
        }
        o->try_emplace(std::move(top.key), std::move(done));
      } else {
        cost += sizeof(llvm::json::Value);
        top.container.getAsArray()->push_back(std::move(done));
      }
      if (llvm::Error e = charge(cost))
        return e;
      skipSpace();
      bool isObject = top.container.getAsObject() != nullptr;
      if (p != end && *p == ',') {
        ++p;
        if (isObject)
          if (llvm::Error e = parseKey(top))
            return e;
        break; // the next element
      }
      if (p != end && *p == (isObject ? '}' : ']')) {
        ++p;
        done = std::move(top.container);
        stack.pop_back();
        continue;
      }
      return error(isObject ? "expected ',' or '}' after an object member" : "expected ',' or ']' after an array element");
    }
  }
}

} // namespace

llvm::Expected<llvm::json::Value> parseJSON(llvm::StringRef text, const JSONLimits &limits) {
  return Parser(text, limits).run();
}

} // namespace llmflow
