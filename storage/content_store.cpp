// Content-addressed blobs.
#include "storage/content_store.hpp"

#include <cerrno>
#include <dirent.h>
#include <fcntl.h>
#include <mutex>
#include <sys/stat.h>
#include <unistd.h>

#include "base/error.hpp"
#include "base/random.hpp"
#include "base/sys.hpp"

namespace berth::storage {

namespace {

// Writes go through a buffer so that many small writes (tar headers) cost few syscalls.
constexpr size_t write_buffer_size = 1 << 20;

caf::error write_fd(int fd, const char* data, size_t n, const std::string& path) {
  while (n > 0) {
    auto w = ::write(fd, data, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return sys::error_from_errno("write", path, errno);
    }
    data += w;
    n -= static_cast<size_t>(w);
  }
  return {};
}

} // namespace

caf::expected<std::unique_ptr<content_store>> content_store::open(const std::string& root) {
  for (const auto& dir : {root + "/blobs/sha256", root + "/ingest"})
    if (auto err = sys::make_dirs(dir, 0700)) return err;
  // Anything in ingest/ is a blob a crash interrupted.
  if (auto err = sys::remove_all(root + "/ingest")) return err;
  if (auto err = sys::make_dirs(root + "/ingest", 0700)) return err;
  return std::unique_ptr<content_store>(new content_store(root));
}

content_store::writer::writer(const content_store* store, unique_fd fd, std::string temp_path)
    : store_(store), fd_(std::move(fd)), temp_path_(std::move(temp_path)) {
  buffer_.reserve(write_buffer_size);
}

content_store::writer::~writer() {
  abort();
}

void content_store::writer::abort() {
  if (fd_ || !temp_path_.empty()) {
    fd_.reset();
    if (!temp_path_.empty()) ::unlink(temp_path_.c_str());
    temp_path_.clear();
  }
}

caf::error content_store::writer::write(const char* data, size_t n) {
  if (!digest_.empty()) return make_error(errc::internal, "blob writer already hashed");
  hasher_.update(data, n);
  size_ += n;
  if (buffer_.size() + n > write_buffer_size) {
    if (auto err = write_fd(fd_.get(), buffer_.data(), buffer_.size(), temp_path_)) return err;
    buffer_.clear();
    if (n >= write_buffer_size) return write_fd(fd_.get(), data, n, temp_path_);
  }
  buffer_.append(data, n);
  return {};
}

const std::string& content_store::writer::digest() {
  if (digest_.empty()) digest_ = hasher_.finish();
  return digest_;
}

caf::expected<blob_info> content_store::writer::commit(std::string_view expected_digest) {
  if (!fd_) return make_error(errc::internal, "blob writer already finished");
  if (auto err = write_fd(fd_.get(), buffer_.data(), buffer_.size(), temp_path_)) return err;
  buffer_.clear();
  blob_info info{digest(), size_};
  if (!expected_digest.empty() && info.digest != expected_digest) {
    abort();
    return make_error(errc::invalid_argument, "digest mismatch: expected " +
                                                  std::string(expected_digest) + ", got " +
                                                  info.digest);
  }
  if (::fsync(fd_.get()) != 0) {
    auto err = sys::error_from_errno("fsync", temp_path_, errno);
    abort();
    return err;
  }
  fd_.reset();
  auto final_path = store_->path(info.digest);
  std::shared_lock gc_guard{store_->gc_mutex_};
  store_->lease_current(info.digest);
  if (::rename(temp_path_.c_str(), final_path.c_str()) != 0) {
    auto err = sys::error_from_errno("rename", final_path, errno);
    abort();
    return err;
  }
  temp_path_.clear();
  if (auto err = sys::sync_dir(store_->root_ + "/blobs/sha256")) return err;
  return info;
}

caf::expected<content_store::writer> content_store::ingest() const {
  auto temp = root_ + "/ingest/" + random_hex(12);
  auto fd = sys::open(temp, O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (!fd) return fd.error();
  return writer{this, std::move(*fd), temp};
}

caf::expected<blob_info> content_store::write(byte_source& source, std::string_view expected_digest,
                                              uint64_t limit) const {
  auto w = ingest();
  if (!w) return w.error();
  std::string buf(1 << 20, '\0');
  for (;;) {
    auto n = source.read(buf.data(), buf.size());
    if (!n) return n.error();
    if (*n == 0) break;
    if (w->size() + *n > limit)
      return make_error(errc::invalid_argument,
                        "blob exceeds the limit of " + std::to_string(limit) + " bytes");
    if (auto err = w->write(buf.data(), *n)) return err;
  }
  return w->commit(expected_digest);
}

caf::expected<blob_info> content_store::put(std::string_view data) const {
  auto digest = sha256_digest(data);
  {
    std::shared_lock gc_guard{gc_mutex_};
    if (has(digest)) {
      lease_current(digest);
      return blob_info{digest, data.size()};
    }
  }
  auto w = ingest();
  if (!w) return w.error();
  if (auto err = w->write(data.data(), data.size())) return err;
  return w->commit(digest);
}

bool content_store::retain(std::string_view digest, lease& l) const {
  std::shared_lock gc_guard{gc_mutex_};
  if (!has(digest)) return false;
  l.add(std::string(digest));
  return true;
}

std::string content_store::path(std::string_view digest) const {
  return root_ + "/blobs/sha256/" + std::string(digest_hex(digest));
}

bool content_store::has(std::string_view digest) const {
  return is_sha256_digest(digest) && sys::exists(path(digest));
}

caf::expected<uint64_t> content_store::size(std::string_view digest) const {
  struct stat st {};
  if (!is_sha256_digest(digest) || ::stat(path(digest).c_str(), &st) != 0)
    return make_error(errc::not_found, "blob " + std::string(digest) + " not found");
  return static_cast<uint64_t>(st.st_size);
}

caf::expected<unique_fd> content_store::open_blob(std::string_view digest) const {
  if (!is_sha256_digest(digest))
    return make_error(errc::invalid_argument, "invalid digest " + std::string(digest));
  return sys::open(path(digest), O_RDONLY);
}

caf::expected<std::string> content_store::read(std::string_view digest, size_t limit) const {
  if (!is_sha256_digest(digest))
    return make_error(errc::invalid_argument, "invalid digest " + std::string(digest));
  return sys::read_file(path(digest), limit);
}

caf::error content_store::remove(std::string_view digest) const {
  if (!is_sha256_digest(digest))
    return make_error(errc::invalid_argument, "invalid digest " + std::string(digest));
  return sys::remove(path(digest));
}

std::vector<std::string> content_store::list() const {
  std::vector<std::string> out;
  if (DIR* d = ::opendir((root_ + "/blobs/sha256").c_str())) {
    while (auto* e = ::readdir(d)) {
      std::string digest = std::string("sha256:") + e->d_name;
      if (is_sha256_digest(digest)) out.push_back(std::move(digest));
    }
    ::closedir(d);
  }
  return out;
}

namespace {

// The lease that blobs committed on this thread join (see content_store::lease::scope).
thread_local content_store::lease* current_lease = nullptr;

} // namespace

content_store::lease::~lease() {
  release();
}

void content_store::lease::release() {
  std::lock_guard guard{store_->leases_mutex_};
  store_->leases_.erase(this);
  digests_.clear();
}

void content_store::lease::add(const std::string& digest) {
  std::lock_guard guard{store_->leases_mutex_};
  if (store_->leases_.count(this)) digests_.insert(digest);
}

content_store::lease::scope::scope(lease* l) : previous_(current_lease) {
  current_lease = l;
}

content_store::lease::scope::~scope() {
  current_lease = previous_;
}

std::shared_ptr<content_store::lease> content_store::make_lease() const {
  auto l = std::make_shared<lease>(this);
  std::lock_guard guard{leases_mutex_};
  leases_.insert(l.get());
  return l;
}

void content_store::lease_current(const std::string& digest) const {
  if (current_lease && current_lease->store_ == this) current_lease->add(digest);
}

gc_result content_store::collect_garbage(const std::set<std::string>& referenced) const {
  std::unique_lock gc_guard{gc_mutex_};
  std::set<std::string> keep = referenced;
  {
    std::lock_guard guard{leases_mutex_};
    for (const auto* l : leases_)
      keep.insert(l->digests_.begin(), l->digests_.end());
  }
  gc_result out;
  for (const auto& digest : list()) {
    if (keep.count(digest)) continue;
    struct stat st {};
    if (::stat(path(digest).c_str(), &st) != 0) continue;
    if (!remove(digest)) {
      ++out.removed;
      out.bytes += static_cast<uint64_t>(st.st_size);
    }
  }
  return out;
}

} // namespace berth::storage
