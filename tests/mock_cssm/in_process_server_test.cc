// The mock CSSM in process (smartlicensing/mock_cssm.h) as its header shows it used:
// Stop() from another thread, join the serving thread, destroy. Found by the fault
// matrix (issue 12), which starts one per test process: the destructor stopped the
// server a second time and waited a whole second for a listen loop that had ended.
#include "smartlicensing/mock_cssm.h"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <thread>

#include "testing/mock_cssm_process.h"
#include "testing/test_util.h"

namespace sl::mock {
namespace {

TEST(InProcessMockCssm, GoesAwayAtOnceAfterStop) {
  SystemTimeSource time;
  ServerOptions options;
  options.tls_cert_path = test::PkiPath("server.crt");
  options.tls_key_path = test::PkiPath("server.key");
  options.signing_key_path = test::PkiPath("cssm-signing.key");
  options.signing_cert_path = test::PkiPath("cssm-signing.crt");
  options.admin_token = "in-process-admin-token";
  options.seed_path = test::TestSeedPath();
  std::unique_ptr<MockCssmServer> server = MockCssmServer::Create(options, time).value();
  ASSERT_GT(server->Bind().value(), 0);
  std::thread serving([&] { server->Serve(); });
  server->Stop();
  serving.join();

  const auto before = std::chrono::steady_clock::now();
  server.reset();
  const auto took =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - before).count();
  // A generous bound: stopping what is stopped is immediate; it used to take 1 s.
  EXPECT_LT(took, 500) << "ms to destroy a stopped server";
}

}  // namespace
}  // namespace sl::mock
