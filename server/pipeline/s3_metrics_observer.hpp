// Feeds the S3 client's probe (s3/client_observer.hpp) into the sink's metrics.
#pragma once

#include "metrics/sink_metrics.hpp"
#include "s3/client_observer.hpp"

namespace ks3::server {

class S3MetricsObserver final : public s3::ClientObserver {
 public:
  explicit S3MetricsObserver(metrics::SinkMetrics& metrics) : metrics_(metrics) {}

  void on_request_done(std::string_view operation, unsigned http_status,
                       std::chrono::nanoseconds duration, std::uint64_t bytes_sent,
                       std::uint64_t bytes_received) override {
    metrics_.record_s3_request(operation, http_status, duration, bytes_sent, bytes_received);
  }
  void on_connection_wait(std::chrono::nanoseconds waited) override {
    metrics_.s3_connection_wait_seconds.observe(std::chrono::duration<double>(waited).count());
  }
  void on_retry(std::string_view operation, std::string_view reason) override {
    metrics_.s3_retries.with({operation, reason}).inc();
  }
  void on_uploads_in_flight(int delta) override { metrics_.uploads_in_flight.add(delta); }
  void on_parts_in_flight(int delta) override { metrics_.parts_in_flight.add(delta); }
  void on_part_uploaded(std::chrono::nanoseconds duration, std::uint64_t, bool) override {
    metrics_.part_upload_duration_seconds.observe(std::chrono::duration<double>(duration).count());
  }

 private:
  metrics::SinkMetrics& metrics_;
};

}  // namespace ks3::server
