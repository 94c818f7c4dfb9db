// The state store's schema migrations.
#include "storage/state_schema.hpp"

namespace berth::storage {

const std::vector<std::string_view>& state_migrations() {
  static const std::vector<std::string_view> migrations = {
      // 1: objects by kind and id, and daemon-wide settings.
      R"sql(
      CREATE TABLE objects (
        kind TEXT NOT NULL,
        id TEXT NOT NULL,
        body TEXT NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (kind, id)
      ) WITHOUT ROWID;
      CREATE TABLE meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) WITHOUT ROWID;
    )sql",
  };
  return migrations;
}

} // namespace berth::storage
