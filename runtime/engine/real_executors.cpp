#include "engine/real_executors.h"

#include "core/eval.h"
#include "engine/chat_request.h"
#include "core/url_template.h"
#include "engine/http_fetch.h"
#include "engine/tool_request.h"
#include "exec/process.h"
#include "exec/spawn.h"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <cmath>

extern char **environ;

namespace llmflow::engine {

namespace {
llvm::Error fail(const std::string &m) { return llvm::createStringError(llvm::inconvertibleErrorCode(), m); }

/// A refused address stays refused: no retry.
bool canRetryFetch(const llvm::Expected<HttpResponse> &r) { return !r.errorIsA<AddressRefused>(); }
} // namespace

HttpLLMExecutor::HttpLLMExecutor(boost::asio::io_context &io, const EngineClock &clock, llm::ClientConfig config,
                                 llm::Timeouts timeouts)
    : clock(clock), client(io, std::move(config)), timeouts(timeouts) {}

HttpLLMExecutor::~HttpLLMExecutor() = default;

void HttpLLMExecutor::run(const rt::Task &task, rt::Job &, ExecCallback done) {
  const ir::Node &n = *task.node;
  llm::ChatRequest req = chatRequest(task);
  std::optional<Transcript> transcript;
  if (recordContent)
    transcript = Transcript{requestJSON(req), "", ""};
  llm::Timeouts t = timeouts;
  t.totalSeconds = std::min(t.totalSeconds, n.policy.timeoutSeconds);
  llm::RetryPolicy retry;
  retry.attempts = std::max(1u, n.policy.attempts);
  retry.backoffSeconds = n.policy.backoffSeconds;
  double sent = clock.now();
  bool typed = n.llm->outputSchema.has_value();
  auto key = std::make_pair(task.job, task.id);
  requests[key] = client.submit(std::move(req), t, retry,
                                [this, key, sent, typed, transcript = std::move(transcript),
                                 done = std::move(done)](llvm::Expected<llm::ChatResult> r) mutable {
    requests.erase(key);
    ExecResult out;
    out.transcript = std::move(transcript);
    if (out.transcript && r) {
      out.transcript->response = r->content;
      // What the answering endpoint was sent: its model id, format and extra fields.
      if (auto sent = llvm::json::parse(r->requestBody))
        out.transcript->request = std::move(*sent);
      else
        llvm::consumeError(sent.takeError());
    }
    if (!r) {
      out.outcome.ok = false;
      llvm::handleAllErrors(r.takeError(), [&](const llm::LLMError &e) {
        out.attempts = std::max(1u, e.attempts);
        out.endpoint = e.endpoint;
        llvm::raw_string_ostream os(out.outcome.error);
        e.log(os);
      }, [&](const llvm::ErrorInfoBase &e) { out.outcome.error = e.message(); });
      done(std::move(out));
      return;
    }
    out.tokensIn = r->promptTokens;
    out.tokensOut = r->completionTokens;
    out.attempts = r->attempts;
    out.endpoint = r->endpoint;
    out.firstTokenAt = sent + r->firstTokenSeconds;
    if (typed) {
      assert(r->json && "the client parses replies under a schema");
      if (r->json)
        out.outcome.value = std::move(*r->json);
    } else {
      out.outcome.value = r->content;
    }
    done(std::move(out));
  });
}

void HttpLLMExecutor::cancel(rt::JobId job, rt::TaskId task) {
  if (auto it = requests.find({job, task}); it != requests.end())
    client.cancel(it->second);
}

struct ToolCall {
  rt::Task task;
  const ToolHome *home = nullptr; // of the job's program
  ExecCallback done;
  unsigned attempt = 0;
  std::string lastError;
  std::optional<Transcript> transcript; // of the last attempt, when recording content
  void record(llvm::json::Value request) {
    if (transcript)
      transcript = Transcript{std::move(request), "", ""};
  }
  void reply(std::string out, std::string err = "") {
    if (transcript) {
      transcript->response = std::move(out);
      transcript->stderrText = std::move(err);
    }
  }
  bool cancelled = false;
  std::function<void()> stop; // stops what the call waits for (a process, a transfer, a backoff)
};

ToolExecutor::ToolExecutor(boost::asio::io_context &io, std::vector<ToolHome> homes, ToolLimits limits)
    : io(io), homes(std::move(homes)), limits(std::move(limits)), http(io) {}

/// A tool sees PATH, HOME and the locale and time zone (LANG, LC_ALL, TZ:
/// without them text tools and `date` behave differently than in the
/// operator's shell, and they hold no secrets), plus what it declares, never
/// the API keys: the rest of llmflow's environment stays out of reach of a
/// tool whose output may end up in a prompt, a result or the event log.
std::vector<std::string> ToolExecutor::environment(const ir::ToolDef &tool) const {
  std::vector<std::string> names{"PATH", "HOME", "LANG", "LC_ALL", "TZ"};
  for (const std::string &n : tool.env)
    if (llvm::find(names, n) == names.end())
      names.push_back(n);
  llvm::erase_if(names, [&](const std::string &n) { return llvm::is_contained(limits.withheldEnv, n); });
  return exec::pickEnvironment(environ, names);
}

ToolExecutor::~ToolExecutor() = default;

void ToolExecutor::run(const rt::Task &task, rt::Job &job, ExecCallback done) {
  auto call = std::make_shared<ToolCall>();
  call->task = task;
  call->done = std::move(done);
  for (const ToolHome &h : homes)
    if (h.module == &job.program())
      call->home = &h;
  assert(call->home && "every program whose jobs run has a tool home");
  if (recordContent)
    call->transcript.emplace();
  calls[{task.job, task.id}] = call;
  attempt(call);
}

void ToolExecutor::cancel(rt::JobId job, rt::TaskId task) {
  auto it = calls.find({job, task});
  if (it == calls.end() || it->second->cancelled)
    return;
  it->second->cancelled = true;
  if (it->second->stop)
    it->second->stop();
}

static llvm::Expected<llvm::json::Value> parseToolOutput(const ir::ToolDef &tool, const std::string &out,
                                                        const JSONLimits &limits) {
  if (tool.result.kind == ir::Type::Kind::String) {
    llvm::StringRef s(out);
    if (s.endswith("\n"))
      s = s.drop_back();
    return llvm::json::Value(s.str());
  }
  auto v = parseJSON(llvm::StringRef(out).trim(), limits);
  if (!v)
    return fail("tool '" + tool.name + "' printed invalid JSON (" + llvm::toString(v.takeError()) + ")");
  return v;
}

void ToolExecutor::attempt(std::shared_ptr<ToolCall> call) {
  if (call->cancelled)
    return finish(call, fail("cancelled"));
  ++call->attempt;
  const ir::ToolDef &tool = *call->task.tool;
  const rt::Task &task = call->task;
  double timeout = task.node->policy.timeoutSeconds;
  auto rendered = renderToolRequest(task);
  if (!rendered)
    return finish(call, rendered.takeError());
  ToolRequest &request = *rendered;
  call->record(toJSON(request));
  auto retryable = [this, call](llvm::Expected<llvm::json::Value> v, bool canRetry) {
    call->stop = nullptr;
    if (!v && canRetry && !call->cancelled && call->attempt < std::max(1u, call->task.node->policy.attempts)) {
      call->lastError = llvm::toString(v.takeError());
      double delay = call->task.node->policy.backoffSeconds * std::pow(2.0, call->attempt - 1);
      auto timer = std::make_shared<boost::asio::steady_timer>(io);
      timer->expires_after(std::chrono::duration_cast<std::chrono::steady_clock::duration>(
          std::chrono::duration<double>(delay)));
      timer->async_wait([this, call, timer](const boost::system::error_code &) { attempt(call); });
      call->stop = [timer] { timer->cancel(); };
      return;
    }
    finish(call, std::move(v));
  };
  switch (tool.impl) {
  case ir::ToolDef::Impl::Builtin: {
    if (exec::isSyncBuiltin(tool.builtin)) {
      auto v = exec::callBuiltin(tool.builtin, task.args, call->home->builtins);
      boost::asio::post(io, [this, call, v = std::move(v)]() mutable { finish(call, std::move(v)); });
      return;
    }
    if (!request.method.empty()) { // http.get, http.post
      HttpRequest req;
      req.method = request.method;
      req.url = request.url;
      // libcurl refuses other schemes too, but with a less clear message.
      if (llvm::Error e = rt::checkHttpUrl(req.url))
        return finish(call, std::move(e));
      req.body = request.body;
      req.contentType = request.contentType;
      req.timeoutSeconds = timeout;
      req.network = limits.network;
      call->stop = httpFetch(http, std::move(req), [retryable, call](llvm::Expected<HttpResponse> r) {
        if (!r) {
          bool canRetry = canRetryFetch(r);
          return retryable(r.takeError(), canRetry);
        }
        call->reply(r->body);
        retryable(llvm::json::Value(std::move(r->body)), false);
      });
      return;
    }
    boost::asio::post(io, [this, call, name = tool.builtin] {
      finish(call, fail("unknown builtin '" + name + "'"));
    });
    return;
  }
  case ir::ToolDef::Impl::Http: {
    HttpRequest req;
    req.method = request.method;
    req.url = request.url;
    req.body = request.body;
    req.timeoutSeconds = timeout;
    req.network = limits.network;
    const ir::ToolDef *td = &tool;
    call->stop = httpFetch(http, std::move(req), [retryable, td, call](llvm::Expected<HttpResponse> r) {
      if (!r) {
        bool canRetry = canRetryFetch(r);
        return retryable(r.takeError(), canRetry);
      }
      call->reply(r->body);
      retryable(parseToolOutput(*td, r->body, call->home->builtins.json), false);
    });
    return;
  }
  case ir::ToolDef::Impl::Exec: {
    exec::ProcessSpec spec;
    spec.argv = std::move(request.argv);
    spec.cwd = call->home->workDir;
    spec.timeoutSeconds = timeout;
    spec.graceSeconds = limits.graceSeconds;
    spec.extraEnv = environment(tool);
    spec.inheritEnvironment = false;
    spec.stdinData = std::move(request.stdinData);
    const ir::ToolDef *td = &tool;
    uint64_t handle = exec::runProcess(io, std::move(spec), [retryable, td, call](llvm::Expected<exec::ProcessResult> r) {
      if (!r)
        return retryable(r.takeError(), false); // cannot start: retrying will not help
      call->reply(r->out, r->err);
      auto tail = [&](const std::string &s) { return s.size() > 600 ? "..." + s.substr(s.size() - 600) : s; };
      if (r->cancelled)
        return retryable(fail("tool '" + td->name + "' cancelled"), false);
      if (r->timedOut)
        return retryable(fail("tool '" + td->name + "' timed out" + (r->err.empty() ? "" : "; stderr: " + tail(r->err))),
                         true);
      if (r->signal)
        return retryable(fail("tool '" + td->name + "' was killed by signal " + std::to_string(r->signal)), true);
      if (r->exitCode != 0)
        return retryable(fail("tool '" + td->name + "' exited with status " + std::to_string(r->exitCode) +
                              (r->err.empty() ? "" : "; stderr: " + tail(r->err))),
                         true);
      retryable(parseToolOutput(*td, r->out, call->home->builtins.json), false);
    });
    call->stop = [this, handle] { exec::cancelProcess(io, handle); };
    return;
  }
  }
}

void ToolExecutor::finish(std::shared_ptr<ToolCall> call, llvm::Expected<llvm::json::Value> value) {
  calls.erase({call->task.job, call->task.id});
  call->stop = nullptr;
  ExecResult r;
  r.attempts = call->attempt;
  r.endpoint = "local";
  r.transcript = std::move(call->transcript);
  if (value) {
    r.outcome.value = std::move(*value);
  } else {
    r.outcome.ok = false;
    r.outcome.error = llvm::toString(value.takeError());
    if (call->attempt > 1 && !call->lastError.empty())
      r.outcome.error += " (after " + std::to_string(call->attempt) + " attempts)";
  }
  call->done(std::move(r));
}

} // namespace llmflow::engine
