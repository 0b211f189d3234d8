// fs.read: confinement to the data directory (.., absolute paths, symlinks,
// sibling-prefix tricks), file kinds, size cap, UTF-8.
#include "exec_test_util.h"

#include "exec/builtins.h"

#include <doctest/doctest.h>

#include <sys/stat.h>

using namespace llmflow::exec;
using namespace llmflow::exec::test;
namespace json = llvm::json;
namespace fs = std::filesystem;

namespace {

struct Fixture {
  TempDir tmp;
  BuiltinContext ctx;
  Fixture() {
    tmp.write("data/a.txt", "alpha");
    tmp.write("data/sub/b.txt", "beta");
    tmp.write("outside.txt", "secret");
    tmp.write("data-evil/x.txt", "evil");
    fs::create_symlink("a.txt", tmp / "data/link-in");
    fs::create_symlink("../outside.txt", tmp / "data/link-out");
    fs::create_symlink(tmp / "outside.txt", tmp / "data/link-abs-out");
    fs::create_symlink("..", tmp / "data/link-dir-up");
    fs::create_symlink(tmp / "data/sub/b.txt", tmp / "data/link-abs-in");
    fs::create_symlink("../nope.txt", tmp / "data/link-out-missing");
    fs::create_symlink(tmp / "nope.txt", tmp / "data/link-abs-out-missing");
    ctx.dataDir = (tmp / "data").string();
  }
  llvm::Expected<json::Value> read(const std::string &path) const {
    return callBuiltin("fs.read", json::Object{{"path", path}}, ctx);
  }
  std::string ok(const std::string &path) const {
    auto r = read(path);
    if (!r) {
      FAIL_CHECK("fs.read('" << path << "') failed: " << llvm::toString(r.takeError()));
      return "";
    }
    auto s = r->getAsString();
    return s ? s->str() : "<not a string>";
  }
  Failure bad(const std::string &path) const {
    auto r = read(path);
    if (r) {
      FAIL_CHECK("fs.read('" << path << "') should have failed");
      return {};
    }
    return takeFailure(r.takeError());
  }
};

} // namespace

TEST_CASE("fs.read reads files inside the data directory") {
  Fixture fx;
  CHECK(fx.ok("a.txt") == "alpha");
  CHECK(fx.ok("sub/b.txt") == "beta");
  CHECK(fx.ok("sub/../a.txt") == "alpha");
  CHECK(fx.ok("./sub//b.txt") == "beta");
  CHECK(fx.ok("link-in") == "alpha");                      // symlink staying inside
  CHECK(fx.ok("link-abs-in") == "beta");                   // absolute symlink staying inside
  CHECK(fx.ok((fx.tmp / "data/a.txt").string()) == "alpha"); // absolute, inside
  fx.tmp.write("data/empty.txt", "");
  CHECK(fx.ok("empty.txt") == "");
}

TEST_CASE("fs.read refuses every way out of the data directory") {
  Fixture fx;
  for (std::string path : std::vector<std::string>{"../outside.txt", "sub/../../outside.txt", "link-out", "link-abs-out",
                           "link-dir-up/outside.txt", "../data-evil/x.txt", "/etc/passwd",
                           (fx.tmp / "outside.txt").string(), (fx.tmp / "data-evil/x.txt").string(),
                           (fx.tmp / "data/../outside.txt").string(), "..", "."}) {
    CAPTURE(path);
    Failure f = fx.bad(path);
    CHECK(f.kind == kindOf(ExecErrorKind::AccessDenied));
    CHECK(f.message == "fs.read: '" + path + "' is outside the data directory");
  }
  // Missing files outside are "outside", not "missing": no probing.
  Failure f = fx.bad((fx.tmp / "nope.txt").string());
  CHECK(f.kind == kindOf(ExecErrorKind::AccessDenied));
}

TEST_CASE("fs.read gives the same answer for what exists outside and what does not") {
  Fixture fx;
  // Pairs: the first names something that exists outside, the second
  // something that does not; the answers must differ only in the path.
  std::vector<std::pair<std::string, std::string>> pairs{
      {"../outside.txt", "../nope.txt"},
      {"sub/../../outside.txt", "sub/../../nope.txt"},
      {"../data-evil", "../no-such-dir/x"},
      {"link-out", "link-out-missing"},
      {"link-abs-out", "link-abs-out-missing"},
      {"link-dir-up/outside.txt", "link-dir-up/nope.txt"},
      {"missing-dir/../../outside.txt", "missing-dir/../../nope.txt"},
  };
  for (auto &p : pairs) {
    // Not a structured binding: C++17 (the clang build) cannot capture one in CAPTURE.
    const auto &there = p.first;
    const auto &absent = p.second;
    CAPTURE(there);
    CAPTURE(absent);
    Failure a = fx.bad(there), b = fx.bad(absent);
    CHECK(a.kind == kindOf(ExecErrorKind::AccessDenied));
    CHECK(b.kind == kindOf(ExecErrorKind::AccessDenied));
    CHECK(a.message == "fs.read: '" + there + "' is outside the data directory");
    CHECK(b.message == "fs.read: '" + absent + "' is outside the data directory");
  }
}

TEST_CASE("fs.read errors: missing, not a file, too large, not text, disabled") {
  Fixture fx;
  Failure f = fx.bad("missing.txt");
  CHECK(f.kind == kindOf(ExecErrorKind::FileNotFound));
  CHECK(f.message == "fs.read: no such file 'missing.txt'");

  f = fx.bad("sub");
  CHECK(f.kind == kindOf(ExecErrorKind::IOError));
  CHECK(f.message == "fs.read: 'sub' is not a regular file");

  REQUIRE(::mkfifo((fx.tmp / "data/fifo").c_str(), 0600) == 0);
  f = fx.bad("fifo"); // must not block waiting for a writer
  CHECK(f.message == "fs.read: 'fifo' is not a regular file");

  fx.tmp.write("data/big.txt", std::string(100, 'b'));
  fx.ctx.maxFileBytes = 99;
  f = fx.bad("big.txt");
  CHECK(f.kind == kindOf(ExecErrorKind::FileTooLarge));
  CHECK(f.message == "fs.read: 'big.txt' is 100 bytes, over the limit of 99");
  fx.ctx.maxFileBytes = 100;
  CHECK(fx.ok("big.txt").size() == 100);

  fx.tmp.write("data/bin.dat", std::string("ok\xff\xfe", 4));
  f = fx.bad("bin.dat");
  CHECK(f.kind == kindOf(ExecErrorKind::IOError));
  CHECK(f.message == "fs.read: 'bin.dat' is not UTF-8 text (invalid byte at offset 2)");

  f = fx.bad("");
  CHECK(f.kind == kindOf(ExecErrorKind::BadArgument));

  fx.ctx.dataDir = "";
  f = fx.bad("a.txt");
  CHECK(f.kind == kindOf(ExecErrorKind::AccessDenied));
  CHECK(f.message.find("disabled") != std::string::npos);

  fx.ctx.dataDir = (fx.tmp / "no-such-dir").string();
  f = fx.bad("a.txt");
  CHECK(f.kind == kindOf(ExecErrorKind::IOError));
  CHECK(f.message.find("no-such-dir") != std::string::npos);
}
