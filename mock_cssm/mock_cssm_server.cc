#include "mock_cssm/server_impl.h"
#include "smartlicensing/mock_cssm.h"

namespace sl::mock {

Result<std::unique_ptr<MockCssmServer>> MockCssmServer::Create(const ServerOptions& options,
                                                               const TimeSource& base_time) {
  Result<std::unique_ptr<ServerImpl>> impl = ServerImpl::Create(options, base_time);
  if (!impl.ok()) return impl.status();
  return std::unique_ptr<MockCssmServer>(new MockCssmServer(std::move(impl).value()));
}

MockCssmServer::MockCssmServer(std::unique_ptr<ServerImpl> impl) : impl_(std::move(impl)) {}
MockCssmServer::~MockCssmServer() = default;

Result<int> MockCssmServer::Bind() { return impl_->Bind(); }
void MockCssmServer::Serve() { impl_->Serve(); }
void MockCssmServer::Stop() { impl_->Stop(); }

}  // namespace sl::mock
