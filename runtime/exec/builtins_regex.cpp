// text.regex_match and text.regex_extract over std::regex (ECMAScript).
//
// libstdc++'s matcher recurses about once per character consumed (~300
// bytes of stack each), so a 100 KB text overflows an 8 MB stack with a
// pattern as plain as ".*". Matching therefore runs on a helper thread with
// a large stack reservation (touched only as deep as needed), and texts
// above BuiltinContext::maxRegexTextBytes are refused. Catastrophic
// backtracking (exponential time) is not bounded.
#include "exec/builtin_args.h"
#include "exec/builtin_impls.h"
#include "exec/exec_error.h"

#include <pthread.h>

#include <cstring>
#include <functional>
#include <regex>

namespace llmflow::exec::impl {
namespace {

constexpr size_t kRegexStackBytes = size_t(512) << 20;

/// Runs `fn` on a fresh thread with a kRegexStackBytes stack and waits.
llvm::Error runOnBigStack(llvm::StringRef builtin, const std::function<void()> &fn) {
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  int rc = pthread_attr_setstacksize(&attr, kRegexStackBytes);
  pthread_t thread;
  if (rc == 0)
    rc = pthread_create(
        &thread, &attr,
        [](void *p) -> void * {
          (*static_cast<const std::function<void()> *>(p))();
          return nullptr;
        },
        const_cast<std::function<void()> *>(&fn));
  pthread_attr_destroy(&attr);
  if (rc != 0)
    return makeExecError(ExecErrorKind::IOError,
                         builtin.str() + ": cannot start the matching thread: " + std::strerror(rc));
  pthread_join(thread, nullptr);
  return llvm::Error::success();
}

struct Inputs {
  llvm::StringRef text, pattern;
};

llvm::Expected<Inputs> inputs(const Args &args, llvm::StringRef builtin, const BuiltinContext &ctx) {
  auto text = stringArg(args, builtin, "text");
  if (!text)
    return text.takeError();
  auto pattern = stringArg(args, builtin, "pattern");
  if (!pattern)
    return pattern.takeError();
  if (text->size() > ctx.maxRegexTextBytes)
    return makeExecError(ExecErrorKind::BadArgument, builtin.str() + ": text of " + std::to_string(text->size()) +
                                                         " bytes is longer than the " +
                                                         std::to_string(ctx.maxRegexTextBytes) +
                                                         "-byte limit for regular expressions");
  return Inputs{*text, *pattern};
}

/// Compiles and runs `match` (on the big stack); regex_error at compile or
/// match time becomes a BadRegex error naming the pattern.
llvm::Error withRegex(llvm::StringRef builtin, llvm::StringRef pattern,
                      const std::function<void(const std::regex &)> &match) {
  std::string failure;
  bool compileFailed = false;
  auto body = [&]() {
    std::regex re;
    try {
      re.assign(pattern.begin(), pattern.end(), std::regex::ECMAScript);
    } catch (const std::regex_error &e) {
      compileFailed = true;
      failure = e.what();
      return;
    } catch (const std::exception &e) { // e.g. bad_alloc
      compileFailed = true;
      failure = e.what();
      return;
    }
    try {
      match(re);
    } catch (const std::exception &e) { // regex_error: error_complexity / error_stack
      failure = e.what();
    }
  };
  if (auto e = runOnBigStack(builtin, body))
    return e;
  if (failure.empty())
    return llvm::Error::success();
  if (compileFailed)
    return makeExecError(ExecErrorKind::BadRegex,
                         builtin.str() + ": bad pattern '" + pattern.str() + "': " + failure);
  return makeExecError(ExecErrorKind::BadRegex,
                       builtin.str() + ": matching pattern '" + pattern.str() + "' failed: " + failure);
}

} // namespace

Result textRegexMatch(const Args &args, const BuiltinContext &ctx) {
  auto in = inputs(args, "text.regex_match", ctx);
  if (!in)
    return in.takeError();
  bool found = false;
  if (auto e = withRegex("text.regex_match", in->pattern, [&](const std::regex &re) {
        found = std::regex_search(in->text.begin(), in->text.end(), re);
      }))
    return e;
  return found;
}

Result textRegexExtract(const Args &args, const BuiltinContext &ctx) {
  auto in = inputs(args, "text.regex_extract", ctx);
  if (!in)
    return in.takeError();
  std::vector<std::string> found;
  if (auto e = withRegex("text.regex_extract", in->pattern, [&](const std::regex &re) {
        bool useGroup = re.mark_count() >= 1;
        using It = std::regex_iterator<llvm::StringRef::iterator>;
        for (It it(in->text.begin(), in->text.end(), re), end; it != end; ++it) {
          const auto &m = *it;
          found.push_back(useGroup ? (m[1].matched ? m[1].str() : std::string()) : m[0].str());
        }
      }))
    return e;
  // Byte-level patterns ('.') can split a UTF-8 sequence.
  return jsonStringArray(std::move(found));
}

} // namespace llmflow::exec::impl
