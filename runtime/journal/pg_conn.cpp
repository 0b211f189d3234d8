#include "journal/pg_conn.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FormatVariadic.h"

#include <libpq-fe.h>

#include <vector>

namespace llmflow::journal::pg {

bool isURI(llvm::StringRef text) { return text.startswith("postgresql://") || text.startswith("postgres://"); }

// The tables of the journal (as in SQLite's, sqlite_journal.cpp) and of the
// shared queue: a job's owner and lease, whether it ended. Prefixed, so that
// they can live in a database that holds other things.
static const char *const kSchema = R"sql(
CREATE TABLE llmflow_schema (version integer NOT NULL);
CREATE SEQUENCE llmflow_job_numbers;
CREATE TABLE llmflow_jobs (
  job bigint PRIMARY KEY, key text NOT NULL, app text NOT NULL, inputs text NOT NULL,
  idempotency_key text UNIQUE, submitted timestamptz NOT NULL DEFAULT now(),
  owner text, lease_until timestamptz, claims integer NOT NULL DEFAULT 0,
  ended boolean NOT NULL DEFAULT false);
CREATE INDEX llmflow_jobs_open ON llmflow_jobs (job) WHERE NOT ended;
CREATE TABLE llmflow_stages (
  job bigint NOT NULL, instance text NOT NULL, seq integer NOT NULL, node text NOT NULL,
  starts integer NOT NULL DEFAULT 1, done boolean NOT NULL DEFAULT false, llm boolean, ok boolean,
  value text, error text, tokens_in bigint, tokens_out bigint, duration double precision, attempts integer,
  endpoint text, PRIMARY KEY (job, instance, seq));
CREATE TABLE llmflow_expansions (
  job bigint NOT NULL, instance text NOT NULL, node text NOT NULL, structure text NOT NULL,
  size bigint NOT NULL, PRIMARY KEY (job, instance, structure, size));
CREATE TABLE llmflow_job_ends (
  job bigint PRIMARY KEY, ok boolean NOT NULL, result text, error text, arrival double precision,
  finish double precision, llm_calls integer, tool_calls integer, tokens_in bigint, tokens_out bigint);
)sql";

Rows::~Rows() { PQclear(r); }
int Rows::count() const { return PQntuples(r); }
bool Rows::isNull(int row, int col) const { return PQgetisnull(r, row, col); }
std::string Rows::text(int row, int col) const { return PQgetvalue(r, row, col); }
int64_t Rows::integer(int row, int col) const {
  long long v = 0;
  llvm::StringRef(PQgetvalue(r, row, col)).getAsInteger(10, v);
  return v;
}
double Rows::real(int row, int col) const {
  double v = 0;
  llvm::StringRef(PQgetvalue(r, row, col)).getAsDouble(v);
  return v;
}
bool Rows::boolean(int row, int col) const { return llvm::StringRef(PQgetvalue(r, row, col)) == "t"; }

/// user@host:port/db from the URI's parts: the password stays out of messages.
static std::string serverName(const std::string &uri) {
  char *err = nullptr;
  PQconninfoOption *opts = PQconninfoParse(uri.c_str(), &err);
  if (!opts) {
    PQfreemem(err);
    return "(an unparsable PostgreSQL URI)";
  }
  std::string user, host, port, db;
  for (PQconninfoOption *o = opts; o->keyword; ++o) {
    if (!o->val)
      continue;
    llvm::StringRef k(o->keyword);
    if (k == "user")
      user = o->val;
    else if (k == "host" || (k == "hostaddr" && host.empty()))
      host = o->val;
    else if (k == "port")
      port = o->val;
    else if (k == "dbname")
      db = o->val;
  }
  PQconninfoFree(opts);
  std::string out = "postgresql://";
  if (!user.empty())
    out += user + "@";
  out += host.empty() ? "localhost" : host;
  if (!port.empty())
    out += ":" + port;
  if (!db.empty())
    out += "/" + db;
  return out;
}

/// What to check, for libpq's messages people meet most.
static std::string hint(llvm::StringRef message) {
  if (message.contains("Is the server running"))
    return ""; // libpq said it
  if (message.contains("Connection refused") || message.contains("No such file or directory"))
    return " (is the server running and listening there?)";
  if (message.contains("password authentication failed") || message.contains("no password supplied") ||
      message.contains("authentication failed") || message.contains("no pg_hba.conf entry"))
    return " (check the user and password in the URI, ~/.pgpass, and the server's pg_hba.conf)";
  if (message.contains("does not exist") && message.contains("database"))
    return " (create it: createdb NAME)";
  return "";
}

llvm::Error Connection::error(llvm::StringRef what, llvm::StringRef detail) const {
  // libpq's messages run over lines; ours is one.
  std::string d;
  for (llvm::StringRef line : llvm::split(detail.trim(), '\n'))
    d.append(d.empty() ? "" : " ").append(line.trim().str());
  return llvm::createStringError(std::errc::io_error, "journal '%s': %s: %s%s", server.c_str(), what.str().c_str(),
                                 d.c_str(), hint(d).c_str());
}

llvm::Expected<std::unique_ptr<Connection>> Connection::open(const std::string &uri, const std::string &settings) {
  std::unique_ptr<Connection> c(new Connection);
  c->server = serverName(uri);
  // A server that does not answer is an error within seconds, not a hang.
  const char *keys[] = {"dbname", "connect_timeout", "application_name", settings.empty() ? nullptr : "options",
                        nullptr};
  const char *values[] = {uri.c_str(), "10", "llmflow", settings.c_str(), nullptr};
  c->conn = PQconnectdbParams(keys, values, /*expand_dbname=*/1);
  if (!c->conn)
    return c->error("cannot connect", "out of memory");
  if (PQstatus(c->conn) != CONNECTION_OK)
    return c->error("cannot connect", PQerrorMessage(c->conn));
  // Quiet: notices (e.g. "relation already exists") are not ours to print.
  PQsetNoticeProcessor(c->conn, [](void *, const char *) {}, nullptr);
  return c;
}

Connection::~Connection() { PQfinish(conn); }

bool Connection::lost() const { return PQstatus(conn) != CONNECTION_OK; }

llvm::Error Connection::reconnectIfLost() {
  if (!lost())
    return llvm::Error::success();
  PQreset(conn);
  if (PQstatus(conn) != CONNECTION_OK)
    return error("cannot connect again", PQerrorMessage(conn));
  PQsetNoticeProcessor(conn, [](void *, const char *) {}, nullptr);
  return llvm::Error::success();
}

llvm::Expected<Rows> Connection::exec(const char *sql, llvm::ArrayRef<Param> params, llvm::StringRef what) {
  std::vector<const char *> values;
  values.reserve(params.size());
  for (const Param &p : params)
    values.push_back(p ? p->c_str() : nullptr);
  PGresult *r = PQexecParams(conn, sql, int(values.size()), nullptr, values.data(), nullptr, nullptr, 0);
  Rows rows(r);
  ExecStatusType st = PQresultStatus(r);
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
    return error(what, r ? PQresultErrorMessage(r) : PQerrorMessage(conn));
  return rows;
}

llvm::Error Connection::run(const char *sql, llvm::StringRef what) {
  PGresult *r = PQexec(conn, sql);
  Rows rows(r);
  ExecStatusType st = PQresultStatus(r);
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
    return error(what, r ? PQresultErrorMessage(r) : PQerrorMessage(conn));
  return llvm::Error::success();
}

llvm::Error Connection::ensureSchema() {
  if (llvm::Error e = run("BEGIN", "cannot start a transaction"))
    return e;
  auto fail = [this](llvm::Error e) {
    Rows(PQexec(conn, "ROLLBACK"));
    return e;
  };
  // Processes starting at once: the first creates the tables, the others
  // wait for it here and then find them.
  if (auto r = exec("SELECT pg_advisory_xact_lock(7402519061)", {}, "cannot lock the schema"); !r)
    return fail(r.takeError());
  auto exists = exec("SELECT to_regclass('llmflow_schema') IS NOT NULL, "
                     "to_regclass('llmflow_jobs') IS NOT NULL", {}, "cannot read the schema");
  if (!exists)
    return fail(exists.takeError());
  if (!exists->boolean(0, 0)) {
    if (exists->boolean(0, 1))
      return fail(llvm::createStringError(std::errc::invalid_argument,
                                          "journal '%s': the database has llmflow tables but no schema version",
                                          server.c_str()));
    if (llvm::Error e = run(kSchema, "cannot create the schema"))
      return fail(std::move(e));
    if (auto r = exec("INSERT INTO llmflow_schema VALUES ($1)", {std::to_string(kSchemaVersion)},
                      "cannot create the schema");
        !r)
      return fail(r.takeError());
  } else {
    auto v = exec("SELECT version FROM llmflow_schema", {}, "cannot read the schema version");
    if (!v)
      return fail(v.takeError());
    if (v->count() != 1)
      return fail(llvm::createStringError(std::errc::invalid_argument,
                                          "journal '%s': the schema version is missing", server.c_str()));
    int64_t version = v->integer(0, 0);
    if (version != kSchemaVersion)
      return fail(llvm::createStringError(std::errc::invalid_argument,
                                          "journal '%s': schema version %lld, but this llmflow reads version %d",
                                          server.c_str(), (long long)version, kSchemaVersion));
  }
  return run("COMMIT", "cannot commit the schema");
}

} // namespace llmflow::journal::pg
