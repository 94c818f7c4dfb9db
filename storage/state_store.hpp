// The daemon's metadata database: SQLite in WAL mode with versioned migrations.
//
// Every object kind (container, image, reference, network, volume...) is stored as JSON rows
// keyed by (kind, id). Changes are applied in batches, one transaction per batch, so a crash
// leaves either the whole batch or none of it. Not thread-safe: one owner (the state store actor).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <caf/error.hpp>
#include <caf/expected.hpp>

struct sqlite3;

namespace berth::storage {

/// One change in a batch.
struct state_op {
  enum class action : uint8_t { put, erase };
  action act = action::put;
  std::string kind;
  std::string id;
  std::string body; ///< JSON text (put only)

  static state_op put(std::string kind, std::string id, std::string body) {
    return {action::put, std::move(kind), std::move(id), std::move(body)};
  }
  static state_op erase(std::string kind, std::string id) {
    return {action::erase, std::move(kind), std::move(id), {}};
  }
};

/// A stored object.
struct state_record {
  std::string id;
  std::string body;
};

class state_store {
 public:
  /// Opens (creating if needed) the database at `path` and applies pending migrations.
  [[nodiscard]] static caf::expected<std::unique_ptr<state_store>> open(const std::string& path);

  ~state_store();
  state_store(const state_store&) = delete;
  state_store& operator=(const state_store&) = delete;

  /// Applies all ops in one transaction: all or nothing.
  [[nodiscard]] caf::error apply(const std::vector<state_op>& ops);

  /// Returns every object of `kind`, ordered by id.
  [[nodiscard]] caf::expected<std::vector<state_record>> load(const std::string& kind);

  /// Returns one object, or nullopt.
  [[nodiscard]] caf::expected<std::optional<std::string>> get(const std::string& kind,
                                                              const std::string& id);

  /// Reads a daemon-wide setting (e.g. the engine ID).
  [[nodiscard]] caf::expected<std::optional<std::string>> get_meta(const std::string& key);

  /// Writes a daemon-wide setting.
  [[nodiscard]] caf::error set_meta(const std::string& key, const std::string& value);

  /// The schema version after migrations.
  [[nodiscard]] int schema_version() const { return schema_version_; }

  /// The newest schema version this build knows.
  [[nodiscard]] static int latest_schema_version();

 private:
  explicit state_store(sqlite3* db) : db_(db) {}
  [[nodiscard]] caf::error migrate();
  [[nodiscard]] caf::error exec(const char* sql);

  sqlite3* db_;
  int schema_version_ = 0;
};

} // namespace berth::storage
