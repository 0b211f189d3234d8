// runProcess basics: stdin -> stdout, exit statuses, stderr, argv passed
// verbatim, environment, working directory, spawn errors.
#include "exec_test_util.h"

#include "exec/process.h"
#include "exec/spawn.h"

#include <doctest/doctest.h>

#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <unistd.h>

using namespace llmflow::exec;
using namespace llmflow::exec::test;

TEST_CASE("stdin is fed and stdout collected") {
  ProcessSpec spec;
  spec.argv = {"cat"};
  spec.stdinData = "hello\nworld";
  auto r = runSync(spec);
  REQUIRE(r);
  CHECK(r->out == "hello\nworld");
  CHECK(r->err.empty());
  CHECK(r->exitCode == 0);
  CHECK(r->signal == 0);
  CHECK_FALSE(r->timedOut);
  CHECK_FALSE(r->outputTruncated);
  CHECK(r->pid > 0);
}

TEST_CASE("large stdin and stdout flow at the same time") {
  std::string big(3 << 20, 'x');
  for (size_t i = 0; i < big.size(); i += 97)
    big[i] = char('a' + i % 26);
  ProcessSpec spec;
  spec.argv = {"cat"};
  spec.stdinData = big;
  spec.timeoutSeconds = 10;
  auto r = runSync(spec);
  REQUIRE(r);
  CHECK_FALSE(r->timedOut);
  CHECK(r->out.size() == big.size());
  CHECK(r->out == big);
}

TEST_CASE("empty stdin reads as end of file") {
  ProcessSpec spec;
  spec.argv = {"cat"};
  spec.timeoutSeconds = 5;
  auto r = runSync(spec);
  REQUIRE(r);
  CHECK_FALSE(r->timedOut);
  CHECK(r->out.empty());
  CHECK(r->exitCode == 0);
}

TEST_CASE("a child that does not read its stdin does not hurt us") {
  // Writing to a pipe whose reader is gone raises SIGPIPE by default; this
  // test process would die if the library let it through.
  ProcessSpec spec;
  spec.argv = {"true"};
  spec.stdinData = std::string(4 << 20, 'z');
  spec.timeoutSeconds = 5;
  auto r = runSync(spec);
  REQUIRE(r);
  CHECK(r->exitCode == 0);
  CHECK_FALSE(r->timedOut);
}

TEST_CASE("exit codes and terminating signals are reported") {
  ProcessSpec spec;
  spec.argv = {"sh", "-c", "exit 3"};
  auto r = runSync(spec);
  REQUIRE(r);
  CHECK(r->exitCode == 3);
  CHECK(r->signal == 0);

  spec.argv = {"false"};
  r = runSync(spec);
  REQUIRE(r);
  CHECK(r->exitCode == 1);

  spec.argv = {"sh", "-c", "kill -USR1 $$"};
  r = runSync(spec);
  REQUIRE(r);
  CHECK(r->signal == SIGUSR1);
  CHECK(r->exitCode == -1);
  CHECK_FALSE(r->timedOut);
}

TEST_CASE("stderr is kept apart from stdout") {
  ProcessSpec spec;
  spec.argv = {"sh", "-c", "echo out; echo err >&2; echo more-err >&2; exit 2"};
  auto r = runSync(spec);
  REQUIRE(r);
  CHECK(r->out == "out\n");
  CHECK(r->err == "err\nmore-err\n");
  CHECK(r->exitCode == 2);
}

TEST_CASE("argv reaches the program verbatim, never through a shell") {
  TempDir dir;
  ProcessSpec spec;
  spec.cwd = dir.path().string();
  spec.argv = {"printf", "%s|", "a b", "\"q\"", "'s'", "$(touch MARKER)", "`touch MARKER2`", "*", "", "back\\slash",
               "semi;colon && x"};
  auto r = runSync(spec);
  REQUIRE(r);
  CHECK(r->out == "a b|\"q\"|'s'|$(touch MARKER)|`touch MARKER2`|*||back\\slash|semi;colon && x|");
  CHECK_FALSE(std::filesystem::exists(dir / "MARKER"));
  CHECK_FALSE(std::filesystem::exists(dir / "MARKER2"));
}

TEST_CASE("extra environment entries are added and override the parent's") {
  ProcessSpec spec;
  spec.argv = {"sh", "-c", "printf '%s|%s|%s' \"$LLMFLOW_EXEC_TEST\" \"$HOME\" \"$PATH\""};
  spec.extraEnv = {"LLMFLOW_EXEC_TEST=hello world", "HOME=/llmflow-home"};
  auto r = runSync(spec);
  REQUIRE(r);
  const char *path = std::getenv("PATH");
  CHECK(r->out == "hello world|/llmflow-home|" + std::string(path ? path : ""));

  spec.extraEnv = {"NOEQUALS"};
  auto bad = runSync(spec);
  REQUIRE_FALSE(bad);
  Failure f = takeFailure(bad.takeError());
  CHECK(f.kind == kindOf(ExecErrorKind::SpawnFailed));
  CHECK(f.message.find("NOEQUALS") != std::string::npos);
}

TEST_CASE("mergeEnvironment replaces by name and keeps the rest in order") {
  const char *base[] = {"A=1", "B=2", "AB=3", "C=", nullptr};
  auto env = mergeEnvironment(const_cast<char *const *>(base), {"B=two", "D=4"});
  CHECK(env == std::vector<std::string>{"A=1", "AB=3", "C=", "B=two", "D=4"});
}

TEST_CASE("pickEnvironment keeps only the named variables, in the order named") {
  const char *base[] = {"A=1", "SECRET=x", "AB=3", "C=", nullptr};
  auto env = pickEnvironment(const_cast<char *const *>(base), {"C", "A", "MISSING", "B"});
  CHECK(env == std::vector<std::string>{"C=", "A=1"});
}

TEST_CASE("without inheritEnvironment the child sees only extraEnv") {
  ::setenv("LLMFLOW_TEST_LEAK", "leaked", 1);
  ProcessSpec spec;
  spec.argv = {"/usr/bin/env"};
  spec.extraEnv = {"ONLY=this"};
  spec.inheritEnvironment = false;
  auto r = runSync(spec);
  ::unsetenv("LLMFLOW_TEST_LEAK");
  REQUIRE(r);
  CHECK(r->out == "ONLY=this\n");
}

TEST_CASE("the working directory is honoured") {
  TempDir dir;
  ProcessSpec spec;
  spec.argv = {"/bin/pwd", "-P"};
  spec.cwd = dir.path().string();
  auto r = runSync(spec);
  REQUIRE(r);
  CHECK(r->out == dir.path().string() + "\n");
}

TEST_CASE("a missing program is an error naming it, delivered through the io_context") {
  boost::asio::io_context io;
  bool called = false;
  ProcessSpec spec;
  spec.argv = {"llmflow-no-such-program-xyz", "arg"};
  uint64_t handle = runProcess(io, spec, [&](llvm::Expected<ProcessResult> r) {
    called = true;
    REQUIRE_FALSE(r);
    Failure f = takeFailure(r.takeError());
    CHECK(f.kind == kindOf(ExecErrorKind::ProgramNotFound));
    CHECK(f.message.find("'llmflow-no-such-program-xyz'") != std::string::npos);
  });
  CHECK(handle == 0);
  CHECK_FALSE(called); // not inside runProcess
  io.run();
  CHECK(called);

  spec.argv = {"/nonexistent/llmflow-prog"};
  auto r = runSync(spec);
  REQUIRE_FALSE(r);
  Failure f = takeFailure(r.takeError());
  CHECK(f.kind == kindOf(ExecErrorKind::ProgramNotFound));
  CHECK(f.message.find("/nonexistent/llmflow-prog") != std::string::npos);
}

TEST_CASE("a program that cannot be executed is an error") {
  TempDir dir;
  dir.write("not-executable", "#!/bin/sh\necho hi\n");
  ProcessSpec spec;
  spec.argv = {(dir / "not-executable").string()};
  auto r = runSync(spec);
  REQUIRE_FALSE(r);
  Failure f = takeFailure(r.takeError());
  CHECK(f.kind == kindOf(ExecErrorKind::ProgramNotFound));
  CHECK(f.message.find("cannot be executed") != std::string::npos);

  spec.argv = {};
  r = runSync(spec);
  REQUIRE_FALSE(r);
  CHECK(takeFailure(r.takeError()).kind == kindOf(ExecErrorKind::SpawnFailed));

  spec.argv = {"echo", std::string("nul\0byte", 8)};
  r = runSync(spec);
  REQUIRE_FALSE(r);
  CHECK(takeFailure(r.takeError()).message.find("NUL") != std::string::npos);
}

TEST_CASE("a bad working directory is an error naming it") {
  ProcessSpec spec;
  spec.argv = {"true"};
  spec.cwd = "/nonexistent-llmflow-dir";
  auto r = runSync(spec);
  REQUIRE_FALSE(r);
  Failure f = takeFailure(r.takeError());
  CHECK(f.kind == kindOf(ExecErrorKind::BadWorkingDirectory));
  CHECK(f.message.find("/nonexistent-llmflow-dir") != std::string::npos);

  TempDir dir;
  dir.write("file", "x");
  spec.cwd = (dir / "file").string();
  r = runSync(spec);
  REQUIRE_FALSE(r);
  f = takeFailure(r.takeError());
  CHECK(f.kind == kindOf(ExecErrorKind::BadWorkingDirectory));
  CHECK(f.message.find("not a directory") != std::string::npos);
}

TEST_CASE("the output cap truncates but keeps draining") {
  ProcessSpec spec;
  // head would block on a full pipe (and time out) if we stopped reading.
  spec.argv = {"sh", "-c", "head -c 1000000 /dev/zero; head -c 500 /dev/zero >&2"};
  spec.maxOutputBytes = 1000;
  spec.timeoutSeconds = 5;
  auto r = runSync(spec);
  REQUIRE(r);
  CHECK(r->out.size() == 1000);
  CHECK(r->err.size() == 500);
  CHECK(r->outputTruncated);
  CHECK_FALSE(r->timedOut);
  CHECK(r->exitCode == 0);

  spec.maxOutputBytes = 1000000;
  r = runSync(spec);
  REQUIRE(r);
  CHECK(r->out.size() == 1000000);
  CHECK_FALSE(r->outputTruncated);
}
