#include "s3/multipart_upload.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <map>
#include <optional>
#include <vector>

#include "metrics/log.hpp"
#include "s3/client_impl.hpp"

namespace ks3::s3 {
namespace asio = boost::asio;
using asio::awaitable;
using boost::system::error_code;

std::size_t part_size_for(std::uint64_t expected_object_size, std::size_t preferred_part_size) {
  constexpr std::uint64_t kMiB = 1024 * 1024;
  std::uint64_t size = std::max<std::uint64_t>(preferred_part_size, kMinPartSize);
  const std::uint64_t needed = (expected_object_size + kMaxParts - 1) / kMaxParts;
  size = std::max(size, (needed + kMiB - 1) / kMiB * kMiB);
  return static_cast<std::size_t>(std::min<std::uint64_t>(size, kMaxPartSize));
}

enum class Phase { open, completing, completed, aborting, aborted };

struct MultipartUpload::State : std::enable_shared_from_this<MultipartUpload::State> {
  State(std::shared_ptr<Client::Impl> c, std::shared_ptr<AsyncSemaphore> global,
        std::shared_ptr<AsyncSemaphore> completing, std::size_t per_object)
      : client(std::move(c)),
        global_slots(std::move(global)),
        completion_slots(std::move(completing)),
        object_slots(client->executor, per_object) {}

  std::shared_ptr<Client::Impl> client;  // kept alive while the upload has work in flight
  std::shared_ptr<AsyncSemaphore> global_slots;
  std::shared_ptr<AsyncSemaphore> completion_slots;
  AsyncSemaphore object_slots;
  std::string bucket;
  std::string key;
  std::string content_type;
  ObjectSettings settings;
  std::string upload_id;
  std::vector<CompletedPart> parts;  // slot i = part i + 1, reserved before the part is sent
  int parts_added = 0;
  std::uint64_t bytes_added = 0;
  Phase phase = Phase::open;
  bool abort_sent = false;
  // CreateMultipartUpload took more than one request: an earlier one may have created an
  // upload whose answer was lost (a reset, a timeout, a 500 after applying). Nobody knows its
  // id, so it would stay open, keeping its parts, until a lifecycle rule removes it.
  bool may_have_strays = false;
  // The first one. Behind a pointer: every object being uploaded has a State, and an inline
  // S3Error would add ~250 bytes to each for the rare one that fails.
  std::unique_ptr<S3Error> failure;

  // Parts in flight, their cancellation signals, and coroutines waiting for none in flight.
  int in_flight = 0;
  std::map<int, std::shared_ptr<asio::cancellation_signal>> cancels;
  struct IdleWaiter {
    explicit IdleWaiter(asio::any_io_executor ex) : timer(ex) {}
    asio::steady_timer timer;
    bool notified = false;
  };
  std::vector<std::shared_ptr<IdleWaiter>> idle_waiters;

  ClientObserver* observer() const { return client->observer; }
  bool created() const { return !upload_id.empty(); }

  S3Error error(Errc code, std::string message) const {
    S3Error e;
    e.operation = "MultipartUpload";
    e.bucket = bucket;
    e.key = key;
    e.error = make_error_code(code);
    e.message = std::move(message);
    return e;
  }
  S3Error aborted_error() const {
    S3Error e = error(Errc::invalid_argument, "the upload was aborted");
    e.error = asio::error::operation_aborted;
    return e;
  }
  S3Error cancelled_error() const {
    S3Error e = error(Errc::invalid_argument, "the upload was cancelled while waiting");
    e.error = asio::error::operation_aborted;
    return e;
  }
  void record_failure(const S3Error& e) {
    if (!failure) failure = std::make_unique<S3Error>(e);
  }

  void part_done(int number) {
    --in_flight;
    // Erased later: the signal must outlive the completion that is running now.
    asio::post(client->executor,
               [self = shared_from_this(), number] { self->cancels.erase(number); });
    if (in_flight > 0) return;
    for (auto& waiter : idle_waiters) {
      waiter->notified = true;
      waiter->timer.cancel();
    }
    idle_waiters.clear();
  }

  awaitable<error_code> wait_idle() {
    while (in_flight > 0) {
      auto waiter = std::make_shared<IdleWaiter>(client->executor);
      waiter->timer.expires_at(asio::steady_timer::time_point::max());
      idle_waiters.push_back(waiter);
      co_await waiter->timer.async_wait(asio::as_tuple(asio::use_awaitable));
      if (!waiter->notified) {
        std::erase(idle_waiters, waiter);
        co_return asio::error::operation_aborted;
      }
    }
    co_return error_code{};
  }

  awaitable<S3Result<PutObjectResult>> put_single(SharedBody body);
  awaitable<S3Result<void>> send_abort();
  // After the upload completed or was aborted, when may_have_strays: lists the uploads of the
  // key and aborts every other one. The key belongs to this upload (one owner per partition,
  // docs/DESIGN.md "Delivery: exactly-once object set"), so another open upload of it is a
  // stray of this one or of a crashed earlier owner. Failures are logged, never fatal: the
  // object itself is fine (a missing s3:ListBucketMultipartUploads permission answers 403).
  awaitable<void> abort_strays();
  awaitable<S3Result<void>> abort_all();
  // The guard at the start of add_part() and complete(): the first failure (after aborting the
  // upload), or why the upload takes no more calls; nullopt while it is open and healthy.
  awaitable<std::optional<S3Error>> refusal(std::string_view misuse);
  awaitable<S3Result<void>> schedule_part(SharedBody part);
  static awaitable<void> part_task(std::shared_ptr<State> self, int number, SharedBody body,
                                   SemaphorePermit object_permit, SemaphorePermit global_permit);
};

namespace {

// Keeps the observer's parts-in-flight gauge right on every exit of a part task.
class InFlightGauge {
 public:
  explicit InFlightGauge(ClientObserver* observer) : observer_(observer) {
    if (observer_) observer_->on_parts_in_flight(1);
  }
  ~InFlightGauge() {
    if (observer_) observer_->on_parts_in_flight(-1);
  }
  InFlightGauge(const InFlightGauge&) = delete;
  InFlightGauge& operator=(const InFlightGauge&) = delete;

 private:
  ClientObserver* observer_;
};

}  // namespace

awaitable<void> MultipartUpload::State::part_task(std::shared_ptr<State> self, int number,
                                                  SharedBody body,
                                                  [[maybe_unused]] SemaphorePermit object_permit,
                                                  [[maybe_unused]] SemaphorePermit global_permit) {
  // A cancelled part (abort) ends with operation_aborted errors, not exceptions.
  co_await asio::this_coro::throw_if_cancelled(false);
  // Aborted between scheduling and start: the cancellation signal had nothing to reach yet.
  if (self->phase == Phase::aborting || self->phase == Phase::aborted) co_return;
  InFlightGauge gauge(self->observer());
  const auto started = std::chrono::steady_clock::now();
  const std::size_t size = body->size();
  auto uploaded = co_await ops::upload_part(self->client, self->bucket, self->key, self->upload_id,
                                            number, body);
  body.reset();  // the part's memory goes as soon as S3 has it
  if (auto* observer = self->observer()) {
    observer->on_part_uploaded(std::chrono::steady_clock::now() - started, size,
                               static_cast<bool>(uploaded));
  }
  if (uploaded) {
    self->parts[static_cast<std::size_t>(number - 1)] = std::move(*uploaded);
  } else {
    self->record_failure(uploaded.error());
  }
  // The permits are released when this frame ends, waking the next add_part.
}

awaitable<S3Result<void>> MultipartUpload::State::schedule_part(SharedBody part) {
  const auto self = shared_from_this();
  // The object's slot first, so a waiting object never holds a global slot idle.
  if (auto ec = co_await object_slots.acquire(); ec) co_return cancelled_error();
  SemaphorePermit object_permit(object_slots);
  if (auto ec = co_await global_slots->acquire(); ec) co_return cancelled_error();
  SemaphorePermit global_permit(*global_slots);
  if (failure) co_return *failure;
  if (phase == Phase::aborting || phase == Phase::aborted) co_return aborted_error();

  const int number = ++parts_added;
  bytes_added += part->size();
  parts.resize(static_cast<std::size_t>(number));
  ++in_flight;
  auto signal = std::make_shared<asio::cancellation_signal>();
  cancels[number] = signal;
  asio::co_spawn(
      client->executor,
      part_task(self, number, std::move(part), std::move(object_permit), std::move(global_permit)),
      asio::bind_cancellation_slot(signal->slot(), [self, number](std::exception_ptr e) {
        if (e) self->record_failure(self->error(Errc::service_error, "part upload threw"));
        self->part_done(number);
      }));
  co_return S3Result<void>{};
}

awaitable<S3Result<PutObjectResult>> MultipartUpload::State::put_single(SharedBody body) {
  // "Depending on the size of the data that you're uploading, Amazon S3 offers [...] Upload
  //  an object in a single operation by using the AWS SDKs, REST API [...] up to 5 GB".
  const auto self = shared_from_this();
  phase = Phase::completing;
  const auto started = std::chrono::steady_clock::now();
  const std::size_t size = body->size();
  auto put =
      co_await ops::put_object(client, bucket, key, std::move(body), content_type, {}, settings);
  if (observer()) {
    observer()->on_part_uploaded(std::chrono::steady_clock::now() - started, size,
                                 static_cast<bool>(put));
  }
  phase = put ? Phase::completed : Phase::aborted;
  if (put) {
    parts_added = 1;
    bytes_added = size;
  } else {
    record_failure(put.error());
  }
  co_return put;
}

awaitable<S3Result<void>> MultipartUpload::State::send_abort() {
  if (!created() || abort_sent) co_return S3Result<void>{};
  abort_sent = true;
  auto aborted = co_await ops::abort_multipart_upload(client, bucket, key, upload_id);
  if (!aborted) {
    log::error(
        "could not abort a multipart upload; it keeps its parts (and their cost) until "
        "a lifecycle rule for incomplete uploads removes it",
        {{"bucket", bucket},
         {"key", key},
         {"upload_id", upload_id},
         {"error", aborted.error().describe()}});
    co_return aborted.error();
  }
  co_await abort_strays();
  co_return S3Result<void>{};
}

awaitable<void> MultipartUpload::State::abort_strays() {
  if (!may_have_strays) co_return;
  may_have_strays = false;
  std::string key_marker, upload_id_marker;
  // A handful of pages at most: the listing is limited to this one key.
  for (int page = 0; page < 10; ++page) {
    auto listed =
        co_await ops::list_multipart_uploads(client, bucket, key, key_marker, upload_id_marker);
    if (!listed) {
      log::warn(
          "could not list the multipart uploads of a key whose CreateMultipartUpload was sent "
          "more than once; an upload created by a lost answer may stay open until a lifecycle "
          "rule for incomplete uploads removes it",
          {{"bucket", bucket}, {"key", key}, {"error", listed.error().describe()}});
      co_return;
    }
    for (const xml::MultipartUploadEntry& stray : listed->uploads) {
      if (stray.key != key || stray.upload_id == upload_id) continue;
      auto aborted = co_await ops::abort_multipart_upload(client, bucket, key, stray.upload_id);
      if (aborted) {
        log::info("aborted a stray multipart upload (created by a request whose answer was lost)",
                  {{"bucket", bucket}, {"key", key}, {"upload_id", stray.upload_id}});
      } else {
        log::warn("could not abort a stray multipart upload",
                  {{"bucket", bucket},
                   {"key", key},
                   {"upload_id", stray.upload_id},
                   {"error", aborted.error().describe()}});
      }
    }
    if (!listed->is_truncated) co_return;
    key_marker = std::move(listed->next_key_marker);
    upload_id_marker = std::move(listed->next_upload_id_marker);
  }
}

awaitable<std::optional<S3Error>> MultipartUpload::State::refusal(std::string_view misuse) {
  if (failure) {
    co_await abort_all();
    co_return *failure;
  }
  if (phase == Phase::aborted || phase == Phase::aborting) co_return aborted_error();
  if (phase != Phase::open) co_return error(Errc::invalid_argument, std::string(misuse));
  co_return std::nullopt;
}

awaitable<S3Result<void>> MultipartUpload::State::abort_all() {
  const auto self = shared_from_this();
  if (phase == Phase::aborted || phase == Phase::completed) co_return S3Result<void>{};
  const bool counted = created() && phase != Phase::aborting;
  phase = Phase::aborting;
  for (auto& [number, signal] : cancels) signal->emit(asio::cancellation_type::terminal);
  // "If any part uploads are currently in progress, those part uploads might or might not
  //  succeed. As a result, it might be necessary to abort a given multipart upload multiple
  //  times": so wait for the parts first, then abort once.
  co_await wait_idle();
  auto result = co_await send_abort();
  phase = Phase::aborted;
  if (counted && observer()) observer()->on_uploads_in_flight(-1);
  co_return result;
}

MultipartUploads::MultipartUploads(Client& client, MultipartLimits limits)
    : client_(client),
      limits_(limits),
      global_slots_(std::make_shared<AsyncSemaphore>(
          client.executor(), std::max<std::size_t>(1, limits.max_parts_in_flight))),
      completion_slots_(std::make_shared<AsyncSemaphore>(
          client.executor(), std::max<std::size_t>(1, limits.max_completing))) {
  limits_.max_parts_in_flight = std::max<std::size_t>(1, limits_.max_parts_in_flight);
  limits_.max_parts_in_flight_per_object =
      std::max<std::size_t>(1, limits_.max_parts_in_flight_per_object);
  limits_.max_completing = std::max<std::size_t>(1, limits_.max_completing);
}

MultipartUpload MultipartUploads::open(std::string bucket, std::string key,
                                       std::string content_type, ObjectSettings settings) {
  auto state = std::make_shared<MultipartUpload::State>(
      client_.impl_, global_slots_, completion_slots_, limits_.max_parts_in_flight_per_object);
  state->bucket = std::move(bucket);
  state->key = std::move(key);
  state->content_type = std::move(content_type);
  state->settings = std::move(settings);
  return MultipartUpload(std::move(state));
}

std::size_t MultipartUploads::parts_in_flight() const {
  return limits_.max_parts_in_flight - global_slots_->available();
}

MultipartUpload::MultipartUpload(std::shared_ptr<State> state) : state_(std::move(state)) {}
MultipartUpload::MultipartUpload(MultipartUpload&&) noexcept = default;

MultipartUpload& MultipartUpload::operator=(MultipartUpload&& other) noexcept {
  if (this != &other) {
    MultipartUpload old(std::move(*this));  // aborts the upload this one held, if unfinished
    state_ = std::move(other.state_);
  }
  return *this;
}

MultipartUpload::~MultipartUpload() {
  if (!state_) return;
  const Phase phase = state_->phase;
  if (phase == Phase::completed || phase == Phase::aborted) return;
  if (!state_->created() && state_->in_flight == 0) return;
  // Destroyed unfinished (a revoke, a shutdown, an exception): never leave the upload behind.
  asio::co_spawn(state_->client->executor, state_->abort_all(), asio::detached);
}

awaitable<S3Result<void>> MultipartUpload::add_part(SharedBody part) {
  const auto s = state_;
  auto refused = co_await s->refusal("add_part after complete()");
  if (refused) co_return *refused;
  if (!part || part->size() < kMinPartSize) {
    s->record_failure(s->error(
        Errc::invalid_argument,
        "a part of " + std::to_string(part ? part->size() : 0) +
            " bytes is below S3's 5 MiB minimum; only the last part (given to complete()) may "
            "be smaller"));
    co_await s->abort_all();
    co_return *s->failure;
  }
  if (part->size() > kMaxPartSize || s->parts_added >= kMaxParts) {
    s->record_failure(s->error(Errc::invalid_argument,
                               "S3 allows at most 10,000 parts of at most 5 GiB: choose the part "
                               "size with part_size_for() for the expected object size"));
    co_await s->abort_all();
    co_return *s->failure;
  }
  if (!s->created()) {
    auto created = co_await ops::create_multipart_upload(s->client, s->bucket, s->key,
                                                         s->content_type, s->settings);
    if (!created) {
      s->record_failure(created.error());
      s->phase = Phase::aborted;  // nothing exists on S3 to abort
      co_return created.error();
    }
    s->upload_id = std::move(created->upload_id);
    s->may_have_strays = created->requests_sent > 1;
    if (s->observer()) s->observer()->on_uploads_in_flight(1);
    if (s->phase != Phase::open) {  // abort() ran while the upload was being created
      co_await s->send_abort();
      if (s->observer()) s->observer()->on_uploads_in_flight(-1);
      co_return s->aborted_error();
    }
  }
  auto scheduled = co_await s->schedule_part(std::move(part));
  if (!scheduled && s->failure) co_await s->abort_all();
  co_return scheduled;
}

awaitable<S3Result<PutObjectResult>> MultipartUpload::complete(SharedBody last) {
  const auto s = state_;
  auto refused = co_await s->refusal("complete() called twice");
  if (refused) co_return *refused;
  const bool has_last = last && !last->empty();
  if (!s->created()) {
    SharedBody body = has_last ? std::move(last) : make_body({});
    co_return co_await s->put_single(std::move(body));
  }
  if (has_last) {
    if (s->parts_added >= kMaxParts) {
      s->record_failure(s->error(Errc::invalid_argument, "the last part would be part 10,001"));
    } else if (auto scheduled = co_await s->schedule_part(std::move(last)); !scheduled) {
      s->record_failure(scheduled.error());
    }
  }
  s->phase = Phase::completing;
  if (auto ec = co_await s->wait_idle(); ec) s->record_failure(s->cancelled_error());
  for (std::size_t i = 0; !s->failure && i < s->parts.size(); ++i) {
    if (s->parts[i].etag.empty()) {
      s->record_failure(
          s->error(Errc::invalid_argument, "part " + std::to_string(i + 1) + " has no ETag"));
    }
  }
  if (s->failure) {
    s->phase = Phase::open;  // let abort_all() run its course
    co_await s->abort_all();
    co_return *s->failure;
  }
  auto completed =
      co_await ops::complete_multipart_upload(s->client, s->bucket, s->key, s->upload_id, s->parts);
  if (!completed) {
    s->record_failure(completed.error());
    s->phase = Phase::open;
    co_await s->abort_all();
    co_return *s->failure;
  }
  s->phase = Phase::completed;
  if (s->observer()) s->observer()->on_uploads_in_flight(-1);
  co_await s->abort_strays();
  co_return completed;
}

awaitable<std::optional<SemaphorePermit>> MultipartUpload::completion_slot() {
  const auto s = state_;
  if (auto ec = co_await s->completion_slots->acquire(); ec) co_return std::nullopt;
  co_return SemaphorePermit(*s->completion_slots);
}

awaitable<S3Result<void>> MultipartUpload::abort() {
  const auto s = state_;
  co_return co_await s->abort_all();
}

const std::string& MultipartUpload::bucket() const {
  return state_->bucket;
}
const std::string& MultipartUpload::key() const {
  return state_->key;
}
const std::string& MultipartUpload::upload_id() const {
  return state_->upload_id;
}
int MultipartUpload::parts_added() const {
  return state_->parts_added;
}
std::uint64_t MultipartUpload::bytes_added() const {
  return state_->bytes_added;
}
bool MultipartUpload::finished() const {
  return state_->phase == Phase::completed || state_->phase == Phase::aborted;
}

}  // namespace ks3::s3
