// A connection to a PostgreSQL server (libpq) for the journal and the shared
// job queue: it connects with errors that name the server and say what is
// wrong (refused, authentication, no such database), runs parameterised
// statements (values passed as text, never spliced into SQL), and creates or
// checks llmflow's versioned schema. One connection per thread: libpq
// connections are not shared between threads. Not for: what the tables mean
// (pg_journal.cpp, pg_queue.cpp).
#pragma once

#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/Error.h"

#include <memory>
#include <optional>
#include <string>

struct pg_conn;
struct pg_result;

namespace llmflow::journal::pg {

/// True for a PostgreSQL connection URI (postgresql://... or postgres://...).
bool isURI(llvm::StringRef text);

/// The schema version this build writes and reads (llmflow_schema.version).
constexpr int kSchemaVersion = 1;

/// A statement's rows; every value is read as text.
class Rows {
public:
  explicit Rows(pg_result *r) : r(r) {}
  Rows(Rows &&o) noexcept : r(std::exchange(o.r, nullptr)) {}
  ~Rows();
  int count() const;
  bool isNull(int row, int col) const;
  std::string text(int row, int col) const;
  int64_t integer(int row, int col) const;
  double real(int row, int col) const;
  bool boolean(int row, int col) const;

private:
  pg_result *r;
};

/// A statement parameter: text, or SQL NULL.
using Param = std::optional<std::string>;

class Connection {
public:
  /// Connects to `uri` (libpq's URI syntax) with the session `settings`
  /// (command-line options of the server: "-c name=value"; kept when it
  /// connects again). The error says which server and why it could not be
  /// reached.
  static llvm::Expected<std::unique_ptr<Connection>> open(const std::string &uri, const std::string &settings = "");
  ~Connection();

  /// The server for messages: the URI without its password.
  const std::string &name() const { return server; }
  /// Connects again if the connection was lost (the server restarted):
  /// only between transactions, since what an open one wrote is gone with
  /// the old connection.
  llvm::Error reconnectIfLost();
  /// The connection is known lost (a statement failed for it).
  bool lost() const;
  /// Runs one parameterised statement ($1, $2, ...).
  llvm::Expected<Rows> exec(const char *sql, llvm::ArrayRef<Param> params, llvm::StringRef what);
  /// Runs statements without parameters (BEGIN, COMMIT, the schema).
  llvm::Error run(const char *sql, llvm::StringRef what);
  /// Creates llmflow's tables if the database has none (several processes
  /// starting at once create them once), else checks their version.
  llvm::Error ensureSchema();
  /// An error naming the server, what failed and the server's message.
  llvm::Error error(llvm::StringRef what, llvm::StringRef detail) const;

private:
  Connection() = default;
  pg_conn *conn = nullptr;
  std::string server;
};

} // namespace llmflow::journal::pg
