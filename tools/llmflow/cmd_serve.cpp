// llmflow serve PROGRAM...: runs the applications of one or more programs as
// an HTTP service (the job API, runtime/serve/) on one engine and one
// scheduler, journaled, resuming on start what an earlier process left
// unfinished. This file is the command line: flags, loading, the journal's
// resume, signals; the service is the library's.
#include "commands.h"
#include "flags.h"
#include "runner.h"

#include "journal/pg_conn.h"
#include "serve/job_service.h"

#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <boost/asio/signal_set.hpp>

#include <csignal>
#include <map>
#include <unistd.h>

namespace llmflow::cli {

static constexpr NumberSpec kPortSpec{0, 65535, false, true};
static constexpr NumberSpec kGraceSpec{0, 86400};
static constexpr NumberSpec kBodySpec{64, 1 << 30, false, true};
static constexpr NumberSpec kKeepSpec{1, 10000000, false, true};
static constexpr NumberSpec kConnectionsSpec{1, 1000000, false, true};

/// The bearer token in --token-file: its first line, trimmed.
static std::optional<std::string> readToken(const std::string &path) {
  auto buf = llvm::MemoryBuffer::getFile(path, /*IsText=*/true);
  if (!buf) {
    llvm::errs() << "llmflow serve: cannot read token file '" << path << "': " << buf.getError().message() << "\n";
    return std::nullopt;
  }
  std::string token = (*buf)->getBuffer().split('\n').first.trim().str();
  if (token.size() < 16) {
    llvm::errs() << "llmflow serve: the token in '" << path << "' is shorter than 16 characters\n";
    return std::nullopt;
  }
  return token;
}

static bool loopback(llvm::StringRef host) {
  return host == "127.0.0.1" || host == "::1" || host.startswith("127.");
}

static constexpr NumberSpec kLeaseSpec{0.5, 3600};
static constexpr NumberSpec kClaimSpec{1, 100000, false, true};

/// This process in the shared queue's table: host and process id.
static std::string ownerName() {
  char host[256] = "";
  gethostname(host, sizeof host - 1);
  return llvm::formatv("{0}:{1}", host, getpid()).str();
}

/// Loads every program named on the command line, each with all of its
/// applications (or, of one program, the one --app names); null after
/// saying why (the exit status in `code`).
static std::optional<std::vector<LoadedApp>> loadPrograms(const Args &args, int *code) {
  const std::vector<std::string> &paths = args.positionals;
  if (paths.empty()) {
    llvm::errs() << "llmflow serve: expected one or more programs (folder, .llmflow or IR .json)\n"
                    "try 'llmflow serve --help'\n";
    *code = kUsage;
    return std::nullopt;
  }
  if (paths.size() > 1)
    for (auto [flag, why] : {std::pair{"app", "picks one application of one program; with several programs every "
                                              "application of each is served"},
                             std::pair{"behaviour", "is one program's behaviour model; with several programs each "
                                                    "uses the behaviour.toml beside it"}})
      if (args.has(flag)) {
        llvm::errs() << "llmflow serve: --" << flag << " " << why << "\n";
        *code = kUsage;
        return std::nullopt;
      }
  std::vector<LoadedApp> programs;
  std::map<std::string, std::string> served; // application -> its program
  for (const std::string &path : paths) {
    auto p = loadApplication(args, path, code, /*everyApp=*/true);
    if (!p)
      return std::nullopt;
    *code = kUsage;
    if (p->apps().empty()) {
      llvm::errs() << "llmflow serve: '" << path << "' has no application\n";
      return std::nullopt;
    }
    for (const ir::App *a : p->apps())
      if (auto [it, fresh] = served.emplace(a->name, path); !fresh) {
        llvm::errs() << "llmflow serve: application '" << a->name << "' is in both '" << it->second << "' and '"
                     << path << "': requests name applications, so each name must be served once\n";
        return std::nullopt;
      }
    programs.push_back(std::move(*p));
  }
  if (args.has("bn") && served.size() > 1) {
    llvm::errs() << "llmflow serve: --bn is the network of one application, and " << served.size()
                 << " are served: each uses APP.bn.json or bn.json beside its program (or serve one with --app)\n";
    *code = kUsage;
    return std::nullopt;
  }
  return programs;
}

static int runServe(const Args &given) {
  Args args = given;
  if (!args.has("journal"))
    args.values["journal"] = "llmflow-serve.db";
  std::string host = args.get("host", "127.0.0.1");
  unsigned port = 8080;
  double grace = 30;
  unsigned maxBody = 1 << 20, keep = 1000, maxConnections = 1024;
  if (!numberFlag(args, "port", kPortSpec, port) || !numberFlag(args, "grace", kGraceSpec, grace) ||
      !numberFlag(args, "max-body", kBodySpec, maxBody) || !numberFlag(args, "keep-jobs", kKeepSpec, keep) ||
      !numberFlag(args, "max-connections", kConnectionsSpec, maxConnections))
    return kUsage;
  std::string journalAt = args.get("journal");
  bool sharedQueue = journal::pg::isURI(journalAt);
  serve::SharedOptions sho;
  if (!numberFlag(args, "lease", kLeaseSpec, sho.leaseSeconds) ||
      !numberFlag(args, "max-claimed", kClaimSpec, sho.maxClaimed))
    return kUsage;
  for (const char *flag : {"lease", "max-claimed"})
    if (args.has(flag) && !sharedQueue) {
      llvm::errs() << "llmflow serve: --" << flag << " is for several processes sharing a PostgreSQL journal "
                   << "(--journal postgresql://...)\n";
      return kUsage;
    }
  serve::ServiceOptions so;
  if (args.has("token-file")) {
    std::optional<std::string> t = readToken(args.get("token-file"));
    if (!t)
      return kEnvironment;
    so.token = *t;
  } else if (!loopback(host)) {
    llvm::errs() << "llmflow serve: refusing to listen on '" << host
                 << "' without --token-file (anyone who can reach it could run jobs)\n";
    return kUsage;
  }
  so.json.maxBytes = maxBody;
  so.json.maxDepth = 64;

  int code = kOk;
  auto programs = loadPrograms(args, &code);
  if (!programs)
    return code;
  serve::JobBoard board({keep, 1000});
  RunnerOptions ro;
  ro.service = true;
  ro.extraSink = &board;
  auto runner = Runner::create(args, std::move(*programs), &code, ro);
  if (!runner)
    return code;
  engine::Engine &eng = runner->eng();

  // Resume: every job the journal holds, in order (job ids stay the
  // journal's), each of its own app: an ended one is restored as it ended,
  // the others run on.
  const journal::JournalContents &before = runner->journaled();
  rt::JobId expect = 1;
  for (const auto &[n, j] : before.jobs)
    if (n != expect++) {
      llvm::errs() << "llmflow serve: journal '" << args.get("journal") << "' has no job " << expect - 1
                   << " before job " << n << "\n";
      return kEnvironment;
    }
  if (llvm::Error e = runner->checkResume(unsigned(before.jobs.size()), [&](unsigned n) -> const llvm::json::Object & {
        return before.jobs.at(n).admission.inputs;
      })) {
    llvm::errs() << "llmflow serve: " << llvm::toString(std::move(e)) << "\n";
    return kUsage;
  }
  unsigned resumed = 0;
  for (const auto &[n, j] : before.jobs) {
    rt::JobId id = runner->submit(*runner->find(j.admission.app)->app, j.admission.inputs, 0);
    if (j.end) {
      board.restored(eng.records().at(id), j.admission.idempotencyKey);
    } else {
      board.admitted(id, j.admission.app, j.admission.idempotencyKey);
      ++resumed;
    }
  }
  std::unique_ptr<journal::PgQueue> queue;
  std::unique_ptr<serve::SharedQueue> shared;
  if (sharedQueue) {
    auto q = journal::PgQueue::open(journalAt, ownerName(), sho.leaseSeconds);
    if (!q) {
      llvm::errs() << "llmflow serve: " << llvm::toString(q.takeError()) << "\n";
      return kEnvironment;
    }
    queue = std::move(*q);
    for (const RunApp &a : runner->apps())
      sho.apps.push_back(a.app->name);
    shared = std::make_unique<serve::SharedQueue>(
        runner->ioContext(), *queue,
        [&board, r = runner.get()](const journal::JournaledJob &job) {
          rt::JobId id = r->submitClaimed(job);
          board.admitted(id, job.admission.app, job.admission.idempotencyKey);
        },
        sho);
    // Said once per different message: a database that is down fails every turn.
    shared->onError = [last = std::string()](const std::string &message) mutable {
      if (message != last)
        llvm::errs() << "llmflow serve: the shared queue: " << message << "\n";
      last = message;
    };
  }
  Runner *r = runner.get();
  board.evict = [&eng, r](rt::JobId id) {
    eng.forget(id);
    r->release(id);
  };
  eng.onJobDone = [&board, &shared](const engine::JobRecord &rec) {
    board.ended(rec);
    if (shared && !rec.interrupted)
      shared->ended(rec.id);
  };

  std::vector<serve::ServedApp> apps;
  std::string names;
  for (const RunApp &a : runner->apps()) {
    apps.push_back({&a.program->module, a.app});
    names += (names.empty() ? "" : ", ") + a.app->name;
  }
  serve::JobService service(
      runner->ioContext(), eng, board, apps,
      [r](const ir::App &app, llvm::json::Object inputs, const std::string &key) {
        return r->submit(app, std::move(inputs), 0, key);
      },
      so);
  serve::ServerOptions ho;
  ho.maxBodyBytes = maxBody;
  ho.maxConnections = maxConnections;
  if (shared)
    service.share(*shared);
  serve::HttpServer server(runner->ioContext(), ho,
                           [&service](const serve::Request &q, std::shared_ptr<serve::Exchange> x) {
                             service.handle(q, std::move(x));
                           });
  if (llvm::Error e = server.listen(host, uint16_t(port))) {
    llvm::errs() << "llmflow serve: " << llvm::toString(std::move(e)) << "\n";
    return kEnvironment;
  }
  boost::asio::signal_set signals(runner->ioContext(), SIGINT, SIGTERM);
  std::function<void()> waitSignal = [&] {
    signals.async_wait([&](const boost::system::error_code &ec, int sig) {
      if (ec)
        return;
      llvm::errs() << "llmflow serve: " << (sig == SIGINT ? "SIGINT" : "SIGTERM")
                   << (service.stopping() ? ": stopping now\n"
                                          : llvm::formatv(": not admitting; running stages get {0} s to finish\n",
                                                          grace)
                                                .str());
      service.stop(grace);
      waitSignal();
    });
  };
  waitSignal();
  auto ep = server.endpoint();
  std::string address = ep.address().is_v6() ? "[" + ep.address().to_string() + "]" : ep.address().to_string();
  std::string journalDesc = sharedQueue ? llvm::formatv("journal and queue {0} shared as {1}, lease {2} s",
                                                         queue->name(), queue->owner(), sho.leaseSeconds)
                                               .str()
                                         : llvm::formatv("journal {0}, {1} job(s) resumed", journalAt, resumed).str();
  llvm::errs() << llvm::formatv("llmflow serve: listening on http://{0}:{1} (app{2} {3}; scheduler {4}; {5})\n",
                                address, ep.port(), apps.size() == 1 ? "" : "s", names, runner->schedulerName(),
                                journalDesc);
  if (shared)
    shared->start();
  runner->run();
  signals.cancel();
  board.close(); // the connections it holds belong to the loop, which goes first
  if (runner->journalFailed())
    return kEnvironment;
  unsigned open = 0;
  for (const auto &[id, j] : board.all())
    open += !j.ended();
  if (shared) {
    if (llvm::Error e = shared->stop()) {
      llvm::errs() << "llmflow serve: " << llvm::toString(std::move(e)) << " (other processes take them over when "
                   << "their leases run out)\n";
      return kEnvironment;
    }
    llvm::errs() << "llmflow serve: stopped; " << open << " unfinished job(s) given back to the shared queue\n";
    return kOk;
  }
  llvm::errs() << "llmflow serve: stopped; " << open << " unfinished job(s) resume on the next start\n";
  return kOk;
}

Command serveCommand() {
  Command c;
  c.name = "serve";
  c.summary = "Run applications as an HTTP service: submit jobs, read their status, results and events, cancel them "
              "(docs/serve.md).\nEvery application of each PROGRAM is served (of one program, --app serves one), "
              "all on one engine and one scheduler.\nEvery job is journaled (--journal) and a restart on the same "
              "journal finishes what was left.\nSIGTERM or SIGINT stops admitting, gives running stages --grace "
              "seconds, and exits 0.\nExit status: 0 stopped by a signal, 2 usage, 3 environment.";
  c.usage = "[options] PROGRAM [PROGRAM...] [--host 127.0.0.1] [--port N] [--token-file FILE] "
            "[--journal FILE.db|postgresql://...]";
  c.options = runOptions();
  for (OptionSpec &o : journalOptions())
    if (o.name != "resume")
      c.options.push_back(std::move(o));
  for (OptionSpec &o : c.options) {
    if (o.name == "journal")
      o.help += "; resumed when it exists (default llmflow-serve.db); a PostgreSQL database is a queue and "
                "journal that several serve processes share (docs/serve.md)";
    if (o.name == "app")
      o.help = "serve only this application of the program (one PROGRAM only; default: all of them)";
    if (o.name == "bn" || o.name == "behaviour")
      o.help += " (one PROGRAM only" + std::string(o.name == "bn" ? ", serving one application)" : ")");
  }
  c.options.push_back({"host", true, "address to listen on (default 127.0.0.1; any other needs --token-file)", "IP"});
  c.options.push_back({"port", true, "port to listen on, 0 for a free one (default 8080)", "N"});
  c.options.push_back({"token-file", true, "require 'Authorization: Bearer TOKEN' (the file's first line, at least "
                                           "16 characters) on every route but /healthz", "FILE"});
  c.options.push_back({"grace", true, "seconds running stages get to finish after SIGTERM (default 30)", "SECONDS"});
  c.options.push_back({"max-body", true, "largest request body in bytes (default 1048576)", "BYTES"});
  c.options.push_back({"max-connections", true, "connections open at once; one more is answered 503 (default 1024)",
                       "N"});
  c.options.push_back({"lease", true, "with a PostgreSQL journal: seconds a claimed job stays this process's "
                                      "without renewal (renewed every third; default 10)", "SECONDS"});
  c.options.push_back({"max-claimed", true, "with a PostgreSQL journal: jobs this process runs at once (default 64)",
                       "N"});
  c.options.push_back({"keep-jobs", true, "ended jobs remembered for GET (default 1000; older ones are forgotten)",
                       "N"});
  c.run = runServe;
  return c;
}

} // namespace llmflow::cli
