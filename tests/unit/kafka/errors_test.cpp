#include "kafka/errors.hpp"

#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>

namespace ks3::kafka {
namespace {

TEST(KafkaErrors, RdkafkaCodesKeepTheirMessageAndName) {
  auto ec = make_rdkafka_error(RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS);
  EXPECT_TRUE(ec);
  EXPECT_EQ(ec.message(), rd_kafka_err2str(RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS));
  EXPECT_EQ(error_name(ec), "REBALANCE_IN_PROGRESS");
  EXPECT_EQ(error_name(make_rdkafka_error(RD_KAFKA_RESP_ERR__TRANSPORT)), "_TRANSPORT");
  EXPECT_FALSE(make_rdkafka_error(RD_KAFKA_RESP_ERR_NO_ERROR));
}

TEST(KafkaErrors, ProjectCodes) {
  boost::system::error_code ec = Errc::consumer_closed;
  EXPECT_EQ(ec.category().name(), std::string("ks3.kafka"));
  EXPECT_EQ(error_name(ec), "consumer_closed");
  EXPECT_NE(ec.message().find("closed"), std::string::npos);
}

}  // namespace
}  // namespace ks3::kafka
