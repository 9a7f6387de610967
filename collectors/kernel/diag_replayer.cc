#include <cerrno>
#include <cstring>
#include <vector>

#include "kernel/diag_recording.h"
#include "kernel/diag_source.h"

namespace halfopen {
namespace {

using recording::File;

bool ReadExact(std::FILE* file, void* data, std::size_t size) {
  return std::fread(data, 1, size, file) == size;
}

}  // namespace

namespace recording {

Status Replay(std::FILE* file, const std::string& name,
              const DatagramHandler& handler) {
  char magic[sizeof kMagic];
  if (!ReadExact(file, magic, sizeof magic) ||
      std::memcmp(magic, kMagic, sizeof magic) != 0) {
    return Status::Error(name + ": not a halfopen diag recording");
  }
  DiagRequestId id;
  bool done = true;
  std::uint8_t kind;
  std::vector<std::uint8_t> datagram;
  while (ReadExact(file, &kind, 1)) {
    if (kind == kRequestRecord) {
      if (!ReadExact(file, &id.sequence, 4) ||
          !ReadExact(file, &id.port_id, 4)) {
        return Status::Error(name + ": truncated request record");
      }
      done = false;
      continue;
    }
    std::uint32_t length = 0;
    if (kind != kDatagramRecord || !ReadExact(file, &length, 4) ||
        length > kMaxDatagramBytes) {
      return Status::Error(name + ": malformed record");
    }
    datagram.resize(length);
    if (!ReadExact(file, datagram.data(), length)) {
      return Status::Error(name + ": truncated datagram");
    }
    if (done) continue;  // Datagrams after DONE: the recording had extra.
    const auto verdict = handler(datagram, id);
    if (verdict == DatagramVerdict::kFail) {
      return Status::Error("the dump was abandoned");
    }
    done = verdict == DatagramVerdict::kDone;
  }
  if (!done) {
    return Status::Error(name + ": the recording ends before the dump did");
  }
  return Status::Ok();
}

}  // namespace recording

namespace {

class ReplayDiagSource : public DiagSource {
 public:
  explicit ReplayDiagSource(std::string path) : path_(std::move(path)) {}

  Status Dump(DumpScope, const DatagramHandler& handler) override {
    File file(path_, "rb");
    if (file.get() == nullptr) {
      return Status::Error("cannot open recording " + path_ + ": " +
                           std::strerror(errno));
    }
    return recording::Replay(file.get(), path_, handler);
  }

 private:
  std::string path_;
};

}  // namespace

std::unique_ptr<DiagSource> MakeReplayDiagSource(std::string path) {
  return std::make_unique<ReplayDiagSource>(std::move(path));
}

}  // namespace halfopen
