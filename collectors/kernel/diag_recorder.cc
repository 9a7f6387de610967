#include <cerrno>
#include <cstring>

#include "kernel/diag_recording.h"
#include "kernel/diag_source.h"

namespace halfopen {
namespace {

using recording::File;

class RecordingDiagSource : public DiagSource {
 public:
  RecordingDiagSource(std::unique_ptr<DiagSource> source, std::string path)
      : source_(std::move(source)), path_(std::move(path)) {}

  Status Dump(DumpScope scope, const DatagramHandler& handler) override {
    File file(path_, "wb");
    if (file.get() == nullptr) {
      return Status::Error("cannot write recording " + path_ + ": " +
                           std::strerror(errno));
    }
    std::fwrite(recording::kMagic, 1, sizeof recording::kMagic, file.get());
    DiagRequestId last{0, 0};
    bool any = false;
    Status status = source_->Dump(
        scope,
        [&](std::span<const std::uint8_t> datagram, const DiagRequestId& id) {
          if (!any || id.sequence != last.sequence) {
            std::fwrite(&recording::kRequestRecord, 1, 1, file.get());
            std::fwrite(&id.sequence, 4, 1, file.get());
            std::fwrite(&id.port_id, 4, 1, file.get());
            last = id;
            any = true;
          }
          const auto length = static_cast<std::uint32_t>(datagram.size());
          std::fwrite(&recording::kDatagramRecord, 1, 1, file.get());
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

std::unique_ptr<DiagSource> MakeRecordingDiagSource(
    std::unique_ptr<DiagSource> source, std::string path) {
  return std::make_unique<RecordingDiagSource>(std::move(source),
                                               std::move(path));
}

}  // namespace halfopen
