// GoogleMock mocks of the public seams, exactly one per interface the tests use. Wrap
// them in ::testing::StrictMock where the calls are the contract under test (the
// tests then fail on any call they did not expect), NiceMock where a mock only stands
// in for a collaborator. Time has no mock: SimulatedTimeSource
// (smartlicensing/time_source.h) and DeviceTime (fakes.h) are its fakes.
// Who uses which: MockTransport (agent harness; agent_seam_contract_test,
// cssm_channel_test), MockStateStore and MockDeviceSecret (agent_seam_contract_test),
// MockDeviceIdentity (agent harness), MockDeviceKeyStore and MockDeviceKey
// (device_key_store_test), MockAgent (expressway apply_usage_test).
// Thread-safety: as gmock's.
#pragma once

#include <gmock/gmock.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "smartlicensing/agent.h"
#include "smartlicensing/device_identity.h"
#include "smartlicensing/device_key_store.h"
#include "smartlicensing/device_secret.h"
#include "smartlicensing/state_store.h"
#include "smartlicensing/transport.h"

namespace sl::test {

class MockTransport : public Transport {
 public:
  MOCK_METHOD(TransportReply, Send, (std::string_view request_envelope), (override));
};

class MockStateStore : public StateStore {
 public:
  MOCK_METHOD(Result<std::string>, Load, (), (override));
  MOCK_METHOD(Status, Save, (std::string_view bytes), (override));
  MOCK_METHOD(Status, Erase, (), (override));
};

class MockDeviceIdentity : public DeviceIdentity {
 public:
  MOCK_METHOD(Udi, GetUdi, (), (const, override));
  MOCK_METHOD(std::string, Hostname, (), (const, override));
};

class MockDeviceSecret : public DeviceSecret {
 public:
  MOCK_METHOD(Result<std::string>, Mac, (std::string_view data), (const, override));
};

class MockDeviceKeyStore : public DeviceKeyStore {
 public:
  MOCK_METHOD(Result<std::string>, CreateKey, (), (override));
  MOCK_METHOD(Result<std::unique_ptr<DeviceKey>>, LoadKey, (const std::string& reference), (const, override));
  MOCK_METHOD(std::string, DescribeKey, (const std::string& reference), (const, override));
};

class MockDeviceKey : public DeviceKey {
 public:
  MOCK_METHOD(std::string, PublicKeyPem, (), (const, override));
  MOCK_METHOD(Result<std::string>, Sign, (std::string_view data), (const, override));
};

// The agent as its embedders see it (sl::Agent is abstract), for code built on top of
// it such as the Expressway library.
class MockAgent : public Agent {
 public:
  MOCK_METHOD(Status, Enable, (), (override));
  MOCK_METHOD(Status, SetLicensingMode, (LicensingMode mode), (override));
  MOCK_METHOD(Status, FactoryReset, (), (override));
  MOCK_METHOD(Status, Register, (const std::string& token, bool reregister), (override));
  MOCK_METHOD(Status, RenewRegistration, (), (override));
  MOCK_METHOD(Status, RenewAuthorization, (), (override));
  MOCK_METHOD(Result<Deregistration>, Deregister, (), (override));
  MOCK_METHOD(Status, SetUsage, (const std::string& tag, int64_t count), (override));
  MOCK_METHOD(Status, UpdateUsage, (), (override));
  MOCK_METHOD(Status, SaveUsage, (), (override));
  MOCK_METHOD(Status, SetTransportSettings, (const TransportSettings& settings), (override));
  MOCK_METHOD(Status, SetPrivacy, (bool on), (override));
  MOCK_METHOD(Status, HostnameChanged, (), (override));
  MOCK_METHOD(Status, RunDue, (), (override));
  MOCK_METHOD(std::optional<UnixSeconds>, NextDeadline, (), (const, override));
  MOCK_METHOD(AgentStatus, GetStatus, (), (const, override));
  MOCK_METHOD(bool, MayChangeClusterConfiguration, (), (const, override));
  MOCK_METHOD(bool, MayRegisterNewDevices, (), (const, override));
  MOCK_METHOD(Result<std::string>, Backup, (std::string_view passphrase), (const, override));
  MOCK_METHOD(Result<std::string>, PlaintextBackup, (), (const, override));
  MOCK_METHOD(Status, Restore, (std::string_view backup, std::string_view passphrase), (override));
};

}  // namespace sl::test
