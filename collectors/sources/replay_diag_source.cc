#include <cstdio>
#include <cstring>
#include <vector>

#include "collectors/sources/diag_source.h"

namespace halfopen {
namespace {

constexpr char kMagic[8] = {'H', 'O', 'E', 'D', 'I', 'A', 'G', '1'};
constexpr std::uint8_t kRequestRecord = 'R';
constexpr std::uint8_t kDatagramRecord = 'D';
constexpr std::uint32_t kMaxDatagramBytes = 1 << 20;

class File {
 public:
  File(const std::string& path, const char* mode)
      : file_(std::fopen(path.c_str(), mode)) {}
  ~File() {
    if (file_ != nullptr) std::fclose(file_);
  }
  std::FILE* get() const { return file_; }

 private:
  std::FILE* file_;
};

bool ReadExact(std::FILE* file, void* data, std::size_t size) {
  return std::fread(data, 1, size, file) == size;
}

class ReplayDiagSource : public DiagSource {
 public:
  explicit ReplayDiagSource(std::string path) : path_(std::move(path)) {}

  Status Dump(const DatagramHandler& handler) override {
    File file(path_, "rb");
    if (file.get() == nullptr) {
      return Status::Error("cannot open recording " + path_ + ": " +
                           std::strerror(errno));
    }
    char magic[sizeof kMagic];
    if (!ReadExact(file.get(), magic, sizeof magic) ||
        std::memcmp(magic, kMagic, sizeof magic) != 0) {
      return Status::Error(path_ + ": not a halfopen diag recording");
    }
    DiagRequestId id;
    bool done = true;
    std::uint8_t kind;
    std::vector<std::uint8_t> datagram;
    while (ReadExact(file.get(), &kind, 1)) {
      if (kind == kRequestRecord) {
        if (!ReadExact(file.get(), &id.sequence, 4) ||
            !ReadExact(file.get(), &id.port_id, 4)) {
          return Status::Error(path_ + ": truncated request record");
        }
        done = false;
        continue;
      }
      std::uint32_t length = 0;
      if (kind != kDatagramRecord || !ReadExact(file.get(), &length, 4) ||
          length > kMaxDatagramBytes) {
        return Status::Error(path_ + ": malformed record");
      }
      datagram.resize(length);
      if (!ReadExact(file.get(), datagram.data(), length)) {
        return Status::Error(path_ + ": truncated datagram");
      }
      if (done) continue;  // Datagrams after DONE: the recording had extra.
      const auto verdict = handler(datagram, id);
      if (verdict == DatagramVerdict::kFail) {
        return Status::Error("the dump was abandoned");
      }
      done = verdict == DatagramVerdict::kDone;
    }
    if (!done) {
      return Status::Error(path_ + ": the recording ends before the dump did");
    }
    return Status::Ok();
  }

 private:
  std::string path_;
};

class RecordingDiagSource : public DiagSource {
 public:
  RecordingDiagSource(std::unique_ptr<DiagSource> source, std::string path)
      : source_(std::move(source)), path_(std::move(path)) {}

  Status Dump(const DatagramHandler& handler) override {
    File file(path_, "wb");
    if (file.get() == nullptr) {
      return Status::Error("cannot write recording " + path_ + ": " +
                           std::strerror(errno));
    }
    std::fwrite(kMagic, 1, sizeof kMagic, file.get());
    DiagRequestId last{0, 0};
    bool any = false;
    Status status = source_->Dump(
        [&](std::span<const std::uint8_t> datagram, const DiagRequestId& id) {
          if (!any || id.sequence != last.sequence) {
            std::fwrite(&kRequestRecord, 1, 1, file.get());
            std::fwrite(&id.sequence, 4, 1, file.get());
            std::fwrite(&id.port_id, 4, 1, file.get());
            last = id;
            any = true;
          }
          const auto length = static_cast<std::uint32_t>(datagram.size());
          std::fwrite(&kDatagramRecord, 1, 1, file.get());
          std::fwrite(&length, 4, 1, file.get());
          std::fwrite(datagram.data(), 1, datagram.size(), file.get());
          return handler(datagram, id);
        });
    if (std::ferror(file.get())) {
      return Status::Error("cannot write recording " + path_);
    }
    return status;
  }

 private:
  std::unique_ptr<DiagSource> source_;
  std::string path_;
};

}  // namespace

std::unique_ptr<DiagSource> MakeReplayDiagSource(std::string path) {
  return std::make_unique<ReplayDiagSource>(std::move(path));
}

std::unique_ptr<DiagSource> MakeRecordingDiagSource(
    std::unique_ptr<DiagSource> source, std::string path) {
  return std::make_unique<RecordingDiagSource>(std::move(source),
                                               std::move(path));
}

}  // namespace halfopen
