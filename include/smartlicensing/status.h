// Status and Result<T>: errors as values across every module boundary (public API).
//
// The codes follow Abseil's canonical set so that a caller can tell a transient
// failure worth retrying (kUnavailable, kDeadlineExceeded, kResourceExhausted) from
// one that will not go away by itself and needs fixing first (everything else).
// Messages are for operators: they say what failed and, where it helps, what to do;
// they never contain secrets.
// Thread-safety: value types, safe to copy between threads.
#pragma once

#include <optional>
#include <string>
#include <utility>

namespace sl {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,     // the caller gave bad input; retrying the same input fails again
  kNotFound,
  kAlreadyExists,
  kPermissionDenied,    // authenticated but refused (e.g. the server refused a token)
  kUnauthenticated,     // signature or credentials missing or wrong
  kFailedPrecondition,  // not allowed in the current state (e.g. not registered)
  kResourceExhausted,   // a quota or rate limit of the peer; retryable later
  kUnavailable,         // cannot reach the peer right now; retryable
  kDeadlineExceeded,    // timed out; retryable
  kDataLoss,            // stored data corrupted, tampered with, or that cannot be read or
                        // written (disk full, read-only, unsafe directory): fix it first
  kInternal,
};

const char* StatusCodeName(StatusCode code);
// The name in lower case, for JSON error objects: "invalid_argument".
std::string StatusCodeSlug(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // Transient failures a caller may retry later with the same input.
  bool IsRetryable() const {
    return code_ == StatusCode::kUnavailable || code_ == StatusCode::kDeadlineExceeded ||
           code_ == StatusCode::kResourceExhausted;
  }
  // "INVALID_ARGUMENT: field 'count' must be an integer"
  std::string ToString() const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status InvalidArgument(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
inline Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
inline Status AlreadyExists(std::string m) { return {StatusCode::kAlreadyExists, std::move(m)}; }
inline Status PermissionDenied(std::string m) { return {StatusCode::kPermissionDenied, std::move(m)}; }
inline Status Unauthenticated(std::string m) { return {StatusCode::kUnauthenticated, std::move(m)}; }
inline Status FailedPrecondition(std::string m) { return {StatusCode::kFailedPrecondition, std::move(m)}; }
inline Status ResourceExhausted(std::string m) { return {StatusCode::kResourceExhausted, std::move(m)}; }
inline Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
inline Status DeadlineExceeded(std::string m) { return {StatusCode::kDeadlineExceeded, std::move(m)}; }
inline Status DataLoss(std::string m) { return {StatusCode::kDataLoss, std::move(m)}; }
inline Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

namespace internal {
// Prints "Result::value() called on an error: <status>" to stderr and aborts.
[[noreturn]] void DieBecauseResultHoldsAnError(const Status& status);
}  // namespace internal

// A value or the Status saying why there is none.
//
// value() on an error is a programming error, not undefined behaviour: it prints the
// status and aborts (like absl::StatusOr::value() without exceptions). operator* and
// operator-> do not check: use them only after ok().
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {  // NOLINT
    if (status_.ok()) status_ = Internal("Result constructed from an OK status without a value");
  }

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }
  // Aborts with the status when !ok().
  T& value() & { CheckOk(); return *value_; }
  const T& value() const& { CheckOk(); return *value_; }
  T&& value() && { CheckOk(); return std::move(*value_); }
  // REQUIRES: ok()
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }
  T& operator*() & { return *value_; }
  const T& operator*() const& { return *value_; }

 private:
  void CheckOk() const {
    if (!value_.has_value()) internal::DieBecauseResultHoldsAnError(status_);
  }

  std::optional<T> value_;
  Status status_;
};

}  // namespace sl

// Returns early from the enclosing function when `expr` is not OK.
#define SL_RETURN_IF_ERROR(expr)             \
  do {                                       \
    ::sl::Status sl_status_ = (expr);        \
    if (!sl_status_.ok()) return sl_status_; \
  } while (0)
