// The listener sampler runs ten times a second for the exporter's lifetime:
// in steady state a sample must not touch the heap. This binary replaces
// the global operator new to count the allocations made on the test's
// thread while the sampler samples the exporter's own network namespace.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <vector>

#include "collectors/listener_sampler.h"
#include "sources/sources.h"

namespace {
thread_local bool counting = false;
thread_local std::size_t allocations = 0;
}  // namespace

void* operator new(std::size_t size) {
  if (counting) ++allocations;
  if (void* memory = std::malloc(size == 0 ? 1 : size)) return memory;
  throw std::bad_alloc();
}
void operator delete(void* memory) noexcept { std::free(memory); }
void operator delete(void* memory, std::size_t) noexcept { std::free(memory); }

namespace halfopen {
namespace {

// A listening socket on 127.0.0.1 with `backlog`; closed on destruction.
class Listening {
 public:
  explicit Listening(int backlog) {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address);
    listen(fd_, backlog);
    socklen_t length = sizeof address;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
  }
  ~Listening() {
    for (const int client : clients_) close(client);
    close(fd_);
  }
  std::uint16_t port() const { return port_; }

  // Connects a client that is never accepted: it waits in the queue.
  bool Connect() {
    const int client = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(port_);
    clients_.push_back(client);
    return connect(client, reinterpret_cast<sockaddr*>(&address),
                   sizeof address) == 0;
  }

 private:
  std::vector<int> clients_;
  int fd_ = -1;
  std::uint16_t port_ = 0;
};

TEST(ListenerSamplerAllocation, SteadyStateSamplesAllocateNothing) {
  auto sources = std::make_shared<Sources>(SourceOptions());
  ASSERT_TRUE(sources->live());
  SamplerOptions options;
  options.interval_seconds = 0;  // No thread: this test steps it.
  ListenerSampler sampler(options, sources);
  Listening listening(7);
  ASSERT_TRUE(listening.Connect());
  ASSERT_TRUE(listening.Connect());
  for (int i = 0; i < 3; ++i) sampler.SampleOnce();  // Opens, learns.

  allocations = 0;
  counting = true;
  constexpr int kSamples = 200;
  for (int i = 0; i < kSamples; ++i) sampler.SampleOnce();
  counting = false;
  EXPECT_EQ(allocations, 0u) << "over " << kSamples << " samples";

  // And the samples did see the listener.
  Listener listener;
  listener.family = kFamilyIpv4;
  listener.address = {127, 0, 0, 1};
  listener.port = listening.port();
  bool read = false;
  sampler.With(sources->Current().front()->identity.inode,
               [&](ListenerHistory* history, const SampledNamespace& sampled,
                   double now) {
                 ASSERT_NE(history, nullptr);
                 read = true;
                 EXPECT_EQ(history->samples(), 3u + kSamples);
                 EXPECT_EQ(sampled.errors, 0u);
                 EXPECT_EQ(history->Read(listener, now).peak_length, 2u);
               });
  EXPECT_TRUE(read);
}

TEST(ListenerSamplerAllocation, TheCounterIsAbleToCount) {
  allocations = 0;
  counting = true;
  std::vector<int> vector(100);
  counting = false;
  EXPECT_EQ(allocations, 1u);
  EXPECT_EQ(vector.size(), 100u);
}

}  // namespace
}  // namespace halfopen
