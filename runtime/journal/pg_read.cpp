#include "journal/pg_read.h"

#include "common/json_reader.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FormatVariadic.h"

namespace llmflow::journal::pg {

static llvm::Expected<llvm::json::Value> json(const Connection &c, const std::string &text, llvm::StringRef what) {
  auto v = parseJSON(text);
  if (!v)
    return llvm::createStringError(std::errc::invalid_argument, "journal '%s': %s: %s", c.name().c_str(),
                                   what.str().c_str(), llvm::toString(v.takeError()).c_str());
  return v;
}

std::string arrayOf(llvm::ArrayRef<JobNumber> jobs) {
  std::string list = "{";
  for (JobNumber j : jobs)
    list.append(list.size() > 1 ? "," : "").append(std::to_string(j));
  return list + "}";
}

std::string arrayOf(llvm::ArrayRef<std::string> texts) {
  std::string list = "{";
  for (const std::string &t : texts) {
    list.append(list.size() > 1 ? ",\"" : "\"");
    for (char c : t)
      list.append(c == '"' || c == '\\' ? "\\" : "").push_back(c);
    list.push_back('"');
  }
  return list + "}";
}

llvm::Error readJobs(const Connection &c, const Rows &rows, JournalContents &into) {
  for (int i = 0; i < rows.count(); ++i) {
    Admission a;
    a.job = JobNumber(rows.integer(i, 0));
    a.key = rows.text(i, 1);
    a.app = rows.text(i, 2);
    auto inputs = json(c, rows.text(i, 3), llvm::formatv("job {0}'s inputs", a.job).str());
    if (!inputs)
      return inputs.takeError();
    if (!inputs->getAsObject())
      return llvm::createStringError(std::errc::invalid_argument, "journal '%s': job %llu's inputs are not an object",
                                     c.name().c_str(), (unsigned long long)a.job);
    a.inputs = std::move(*inputs->getAsObject());
    a.idempotencyKey = rows.isNull(i, 4) ? "" : rows.text(i, 4);
    into.jobs[a.job].admission = std::move(a);
  }
  return llvm::Error::success();
}

llvm::Error readProgress(Connection &c, JournalContents &into, llvm::ArrayRef<JobNumber> jobs) {
  Param all = jobs.empty() ? Param() : Param(arrayOf(jobs));
  auto stages = c.exec("SELECT job, instance, seq, node, done, llm, ok, value, error, tokens_in, tokens_out, "
                       "duration, attempts, endpoint FROM llmflow_stages WHERE $1::bigint[] IS NULL OR job = ANY($1)",
                       {all}, "cannot read the stages");
  if (!stages)
    return stages.takeError();
  for (int i = 0; i < stages->count(); ++i) {
    JobNumber job = JobNumber(stages->integer(i, 0));
    auto it = into.jobs.find(job);
    if (it == into.jobs.end())
      return llvm::createStringError(std::errc::invalid_argument, "journal '%s': a stage of job %llu, never admitted",
                                     c.name().c_str(), (unsigned long long)job);
    if (!stages->boolean(i, 4)) {
      ++it->second.startedNotFinished;
      continue;
    }
    StageResult r;
    r.node = stages->text(i, 3);
    r.llm = stages->boolean(i, 5);
    r.ok = stages->boolean(i, 6);
    if (r.ok) {
      auto v = json(c, stages->text(i, 7), llvm::formatv("job {0}, stage {1}", job, stages->text(i, 1)).str());
      if (!v)
        return v.takeError();
      r.value = std::move(*v);
    } else {
      r.error = stages->text(i, 8);
    }
    if (!stages->isNull(i, 9))
      r.tokensIn = unsigned(stages->integer(i, 9));
    if (!stages->isNull(i, 10))
      r.tokensOut = unsigned(stages->integer(i, 10));
    r.duration = stages->real(i, 11);
    r.attempts = unsigned(stages->integer(i, 12));
    r.endpoint = stages->text(i, 13);
    it->second.stages[{stages->text(i, 1), unsigned(stages->integer(i, 2))}] = std::move(r);
  }
  auto ends = c.exec("SELECT job, ok, result, error, arrival, finish, llm_calls, tool_calls, tokens_in, tokens_out "
                     "FROM llmflow_job_ends WHERE $1::bigint[] IS NULL OR job = ANY($1)",
                     {all}, "cannot read the job ends");
  if (!ends)
    return ends.takeError();
  for (int i = 0; i < ends->count(); ++i) {
    JobEnd e;
    e.job = JobNumber(ends->integer(i, 0));
    auto it = into.jobs.find(e.job);
    if (it == into.jobs.end())
      return llvm::createStringError(std::errc::invalid_argument, "journal '%s': the end of job %llu, never admitted",
                                     c.name().c_str(), (unsigned long long)e.job);
    e.ok = ends->boolean(i, 1);
    if (e.ok) {
      auto v = json(c, ends->text(i, 2), llvm::formatv("job {0}'s result", e.job).str());
      if (!v)
        return v.takeError();
      e.result = std::move(*v);
    } else {
      e.error = ends->text(i, 3);
    }
    e.arrival = ends->real(i, 4);
    e.finish = ends->real(i, 5);
    e.llmCalls = unsigned(ends->integer(i, 6));
    e.toolCalls = unsigned(ends->integer(i, 7));
    e.tokensIn = uint64_t(ends->integer(i, 8));
    e.tokensOut = uint64_t(ends->integer(i, 9));
    it->second.end = std::move(e);
  }
  return llvm::Error::success();
}

} // namespace llmflow::journal::pg
