#include "disk_cache.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/SHA1.h"

namespace llmflow::cli {
namespace {

constexpr int kFormat = 1;

void warn(const llvm::Twine &what) { llvm::errs() << "llmflow: warning: cache: " << what << "\n"; }

} // namespace

DiskCache DiskCache::fromArgs(const Args &args) {
  DiskCache c;
  if (args.has("no-cache"))
    return c;
  if (args.has("cache-dir")) {
    c.dir = args.get("cache-dir");
    return c;
  }
  llvm::SmallString<256> d;
  if (auto xdg = llvm::sys::Process::GetEnv("XDG_CACHE_HOME"); xdg && !xdg->empty())
    d = *xdg;
  else if (auto home = llvm::sys::Process::GetEnv("HOME"); home && !home->empty())
    llvm::sys::path::append(d, *home, ".cache");
  else
    return c; // nowhere to put it: no cache
  llvm::sys::path::append(d, "llmflow");
  c.dir = std::string(d);
  return c;
}

std::string DiskCache::hash(llvm::StringRef text) {
  auto h = llvm::SHA1::hash(llvm::arrayRefFromStringRef(text));
  return llvm::toHex(h, /*LowerCase=*/true);
}

std::string DiskCache::buildIdentity() {
  static int anchor;
  std::string exe = llvm::sys::fs::getMainExecutable("llmflow", &anchor);
  std::string id = "llmflow " LLMFLOW_VERSION;
  llvm::sys::fs::file_status st;
  if (!exe.empty() && !llvm::sys::fs::status(exe, st))
    id += " " + std::to_string(st.getSize()) + " " +
          std::to_string(st.getLastModificationTime().time_since_epoch().count());
  return id;
}

std::string DiskCache::path(llvm::StringRef kind, llvm::StringRef key) const {
  llvm::SmallString<256> p(dir);
  llvm::sys::path::append(p, kind + "-" + hash(key) + ".json");
  return std::string(p);
}

// An entry is a header line (format, kind, key hash, content hash) and the
// stored text.
std::optional<std::string> DiskCache::get(llvm::StringRef kind, llvm::StringRef key) const {
  if (!enabled())
    return std::nullopt;
  std::string p = path(kind, key);
  auto buf = llvm::MemoryBuffer::getFile(p);
  if (!buf)
    return std::nullopt; // not stored (or unreadable: recomputed either way)
  auto [head, body] = (*buf)->getBuffer().split('\n');
  auto bad = [&](llvm::StringRef why) -> std::optional<std::string> {
    warn(llvm::Twine(p) + ": " + why + "; recomputing it");
    return std::nullopt;
  };
  auto header = llvm::json::parse(head);
  if (!header) {
    llvm::consumeError(header.takeError());
    return bad("not a cache entry");
  }
  const llvm::json::Object *h = header->getAsObject();
  if (!h || h->getInteger("llmflow_cache").getValueOr(0) != kFormat)
    return bad("not a cache entry of this version");
  auto field = [&](llvm::StringRef name) { return h->getString(name).getValueOr(""); };
  if (field("kind") != kind || field("key") != hash(key))
    return bad("entry for other inputs");
  if (field("content") != hash(body))
    return bad("content does not match its hash (truncated or edited)");
  return body.str();
}

void DiskCache::reject(llvm::StringRef kind, llvm::StringRef why) const {
  warn(llvm::Twine("a stored ") + kind + " entry did not decode (" + why + "); recomputing it");
}

void DiskCache::put(llvm::StringRef kind, llvm::StringRef key, llvm::StringRef body) const {
  if (!enabled())
    return;
  llvm::json::Object header{{"llmflow_cache", kFormat}, {"kind", kind}, {"key", hash(key)}, {"content", hash(body)}};
  std::string p = path(kind, key);
  if (std::error_code ec = llvm::sys::fs::create_directories(dir))
    return warn("cannot create " + llvm::Twine(dir) + ": " + ec.message());
  // Written beside the entry and renamed: a reader sees the old entry, no
  // entry or the whole new one, never a partial file.
  llvm::SmallString<256> tmp;
  int fd;
  if (std::error_code ec = llvm::sys::fs::createUniqueFile(p + ".%%%%%%.tmp", fd, tmp))
    return warn("cannot write in " + llvm::Twine(dir) + ": " + ec.message());
  {
    llvm::raw_fd_ostream os(fd, /*shouldClose=*/true);
    os << llvm::json::Value(std::move(header)) << "\n" << body;
    os.close();
    if (os.has_error()) {
      warn(llvm::Twine("cannot write ") + tmp + ": " + os.error().message());
      os.clear_error();
      llvm::sys::fs::remove(tmp);
      return;
    }
  }
  if (std::error_code ec = llvm::sys::fs::rename(tmp, p)) {
    llvm::sys::fs::remove(tmp);
    warn("cannot write " + llvm::Twine(p) + ": " + ec.message());
  }
}

} // namespace llmflow::cli
