#include "tests/unit/scripted_netlink_channel.h"

#include <linux/netlink.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace halfopen::testing {
namespace {

constexpr std::uint32_t kPortId = 4242;
constexpr std::size_t kMessagesPerDatagram = 4;

// An NLMSG_ERROR or NLMSG_DONE whose payload is -error_number.
Bytes ControlMessage(std::uint16_t type, int error_number) {
  Bytes message(sizeof(nlmsghdr) + sizeof(nlmsgerr), 0);
  SetHeaderWord(&message, 0, static_cast<std::uint32_t>(message.size()));
  std::memcpy(message.data() + 4, &type, 2);
  const std::int32_t status = -error_number;
  std::memcpy(message.data() + sizeof(nlmsghdr), &status, 4);
  return message;
}

}  // namespace

void NetlinkScript::Set(NetlinkFault fault) {
  std::lock_guard<std::mutex> lock(mu_);
  fault_ = fault;
}

NetlinkFault NetlinkScript::fault() const {
  std::lock_guard<std::mutex> lock(mu_);
  return fault_;
}

void NetlinkScript::CountOpen() {
  std::lock_guard<std::mutex> lock(mu_);
  ++opens_;
}

int NetlinkScript::opens() const {
  std::lock_guard<std::mutex> lock(mu_);
  return opens_;
}

ScriptedNetlinkChannel::ScriptedNetlinkChannel(NetlinkScript* script)
    : script_(*script) {
  for (const auto& datagram : LoadRecording("linux-6.18-legacy.diag")) {
    for (auto& message : SplitMessages(datagram.bytes)) {
      messages_.push_back(std::move(message));
    }
  }
}

Status ScriptedNetlinkChannel::Open(std::uint32_t* port_id) {
  script_.CountOpen();
  *port_id = kPortId;
  return Status::Ok();
}

int ScriptedNetlinkChannel::Send(std::span<const std::uint8_t> request) {
  std::uint32_t sequence;
  std::memcpy(&sequence, request.data() + 8, 4);
  std::vector<Bytes> messages = messages_;
  const NetlinkFault fault = script_.fault();
  if (fault == NetlinkFault::kDoneWithError) {
    messages.back() = ControlMessage(NLMSG_DONE, ENOMEM);
  }
  std::vector<Event> events;
  for (std::size_t first = 0; first < messages.size();
       first += kMessagesPerDatagram) {
    const std::size_t end =
        std::min(first + kMessagesPerDatagram, messages.size());
    std::vector<Bytes> group(messages.begin() + first, messages.begin() + end);
    for (Bytes& message : group) {
      SetHeaderWord(&message, 8, sequence);
      SetHeaderWord(&message, 12, kPortId);
    }
    events.push_back({0, JoinMessages(group)});
  }
  // The faults strike the second datagram: the dump is under way.
  const std::size_t at = 1;
  Bytes& middle = events.at(at).datagram;
  switch (fault) {
    case NetlinkFault::kEintr:
      events.insert(events.begin() + at, {EINTR, {}});
      break;
    case NetlinkFault::kEnobufs:
      events.insert(events.begin() + at, {ENOBUFS, {}});
      break;
    case NetlinkFault::kErrorMessage: {
      Bytes error = ControlMessage(NLMSG_ERROR, EBUSY);
      SetHeaderWord(&error, 8, sequence);
      SetHeaderWord(&error, 12, kPortId);
      middle = error;
      break;
    }
    case NetlinkFault::kCutShort:
      middle.resize(middle.size() - 30);
      break;
    case NetlinkFault::kOversized: {
      const Bytes one = middle;
      while (middle.size() <= 64 * 1024) {
        middle.insert(middle.end(), one.begin(), one.end());
      }
      break;
    }
    default:
      break;
  }
  pending_.assign(events.rbegin(), events.rend());
  return 0;
}

int ScriptedNetlinkChannel::Receive(std::span<std::uint8_t> buffer,
                                    NetlinkReceived* received) {
  if (pending_.empty()) return EAGAIN;  // As the receive timeout would.
  const Event event = std::move(pending_.back());
  pending_.pop_back();
  if (event.error_number != 0) return event.error_number;
  const std::size_t bytes = std::min(buffer.size(), event.datagram.size());
  std::memcpy(buffer.data(), event.datagram.data(), bytes);
  *received = {bytes, bytes < event.datagram.size(), 0};
  return 0;
}

void ScriptedNetlinkChannel::Close() { pending_.clear(); }

}  // namespace halfopen::testing
