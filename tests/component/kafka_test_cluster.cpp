#include "kafka_test_cluster.hpp"

#include <stdexcept>
#include <thread>

namespace ks3::kafka::testing {
namespace {

rd_kafka_t* make_handle(rd_kafka_type_t type,
                        const std::vector<std::pair<std::string, std::string>>& settings) {
  char errstr[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  for (const auto& [name, value] : settings) {
    if (rd_kafka_conf_set(conf, name.c_str(), value.c_str(), errstr, sizeof errstr)) {
      throw std::runtime_error("test kafka config " + name + ": " + errstr);
    }
  }
  rd_kafka_t* rk = rd_kafka_new(type, conf, errstr, sizeof errstr);
  if (!rk) throw std::runtime_error(std::string("test kafka handle: ") + errstr);
  return rk;
}

}  // namespace

MockKafkaCluster::MockKafkaCluster(int brokers) {
  owner_ = make_handle(RD_KAFKA_PRODUCER, {{"log_level", "3"}});
  cluster_ = rd_kafka_mock_cluster_new(owner_, brokers);
  if (!cluster_) throw std::runtime_error("cannot create the mock Kafka cluster");
  bootstrap_ = rd_kafka_mock_cluster_bootstraps(cluster_);
  producer_ =
      make_handle(RD_KAFKA_PRODUCER,
                  {{"bootstrap.servers", bootstrap_}, {"linger.ms", "0"}, {"log_level", "3"}});
}

MockKafkaCluster::~MockKafkaCluster() {
  rd_kafka_destroy(producer_);
  rd_kafka_mock_cluster_destroy(cluster_);
  rd_kafka_destroy(owner_);
}

void MockKafkaCluster::create_topic(const std::string& topic, int partitions) {
  if (auto err = rd_kafka_mock_topic_create(cluster_, topic.c_str(), partitions, 1)) {
    throw std::runtime_error("mock topic " + topic + ": " + rd_kafka_err2str(err));
  }
}

void MockKafkaCluster::produce(const std::string& topic, std::int32_t partition,
                               std::string_view key, std::optional<std::string_view> value,
                               const std::vector<std::pair<std::string, std::string>>& headers) {
  rd_kafka_headers_t* hdrs = rd_kafka_headers_new(headers.size());
  for (const auto& [name, header_value] : headers) {
    rd_kafka_header_add(hdrs, name.data(), static_cast<ssize_t>(name.size()), header_value.data(),
                        static_cast<ssize_t>(header_value.size()));
  }
  auto err = rd_kafka_producev(
      producer_, RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_PARTITION(partition),
      RD_KAFKA_V_KEY(key.data(), key.size()),
      RD_KAFKA_V_VALUE((value ? const_cast<char*>(value->data()) : nullptr),
                       (value ? value->size() : 0)),
      RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_HEADERS(hdrs), RD_KAFKA_V_END);
  if (err) {
    rd_kafka_headers_destroy(hdrs);
    throw std::runtime_error(std::string("produce: ") + rd_kafka_err2str(err));
  }
  flush();
}

void MockKafkaCluster::produce_many(const std::string& topic, std::int32_t partition, int count,
                                    int first) {
  for (int i = first; i < first + count; ++i) {
    std::string key = "key-" + std::to_string(i);
    std::string value = "value-" + std::to_string(i);
    auto err = rd_kafka_producev(
        producer_, RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_PARTITION(partition),
        RD_KAFKA_V_KEY(key.data(), key.size()), RD_KAFKA_V_VALUE(value.data(), value.size()),
        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
    if (err) throw std::runtime_error(std::string("produce: ") + rd_kafka_err2str(err));
  }
  flush();
}

void MockKafkaCluster::flush() {
  if (auto err = rd_kafka_flush(producer_, 10000)) {
    throw std::runtime_error(std::string("flush: ") + rd_kafka_err2str(err));
  }
}

ConsumerConfig test_consumer_config(const std::string& bootstrap, const std::string& group,
                                    std::vector<std::string> topics) {
  ConsumerConfig config;
  config.bootstrap_servers = bootstrap;
  config.group_id = group;
  config.topics = std::move(topics);
  config.properties = {{"session.timeout.ms", "6000"},
                       {"heartbeat.interval.ms", "500"},
                       {"fetch.wait.max.ms", "50"},
                       {"topic.metadata.refresh.interval.ms", "1000"},
                       {"log_level", "4"}};
  config.maintenance_interval = std::chrono::milliseconds(200);
  return config;
}

std::vector<AssignedPartition> read_committed(const std::string& bootstrap,
                                              const std::string& group,
                                              const std::vector<TopicPartition>& partitions) {
  rd_kafka_t* rk = make_handle(RD_KAFKA_CONSUMER, {{"bootstrap.servers", bootstrap},
                                                   {"group.id", group},
                                                   {"enable.auto.commit", "false"},
                                                   {"log_level", "3"}});
  rd_kafka_topic_partition_list_t* list =
      rd_kafka_topic_partition_list_new(static_cast<int>(partitions.size()));
  for (const auto& tp : partitions) {
    rd_kafka_topic_partition_list_add(list, tp.topic.c_str(), tp.partition);
  }
  auto err = rd_kafka_committed(rk, list, 10000);
  std::vector<AssignedPartition> out;
  for (int i = 0; !err && i < list->cnt; ++i) {
    const auto& e = list->elems[i];
    AssignedPartition p{{e.topic, e.partition}, e.offset >= 0 ? e.offset : -1, {}};
    if (e.metadata)
      p.committed_metadata.assign(static_cast<const char*>(e.metadata), e.metadata_size);
    out.push_back(std::move(p));
  }
  rd_kafka_topic_partition_list_destroy(list);
  rd_kafka_destroy(rk);
  if (err) throw std::runtime_error(std::string("committed: ") + rd_kafka_err2str(err));
  return out;
}

bool run_until(boost::asio::io_context& io, const std::function<bool()>& done,
               std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done() && std::chrono::steady_clock::now() < deadline) {
    io.run_for(std::chrono::milliseconds(10));
    if (io.stopped()) {  // no work at all: nothing can change done() but time
      io.restart();
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
  return done();
}

bool run_task(boost::asio::io_context& io, boost::asio::awaitable<void> task,
              std::chrono::milliseconds timeout) {
  std::exception_ptr error;
  bool finished = false;
  boost::asio::co_spawn(io, std::move(task), [&](std::exception_ptr e) {
    error = e;
    finished = true;
  });
  run_until(
      io, [&] { return finished; }, timeout);
  if (error) std::rethrow_exception(error);
  return finished;
}

}  // namespace ks3::kafka::testing
