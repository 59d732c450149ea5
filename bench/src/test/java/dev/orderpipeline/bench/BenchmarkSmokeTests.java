package dev.orderpipeline.bench;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A few seconds of the benchmark, end to end, so the command in the README keeps working.
 */
class BenchmarkSmokeTests {

	@Test
	void aShortRunMeasuresEveryFigureAndLosesNothing(@TempDir Path output) throws Exception {
		BenchOptions options = BenchOptions
			.parse(new String[] { "--warmup=1s", "--duration=2s", "--connections=8", "--backlogs=2000",
					"--ceiling-duration=2s", "--live-streams=20", "--live-orders=10", "--intake=single,stream",
					"--streams=2", "--stream-orders=50", "--source-jar=" + System.getProperty("bench.source.jar"),
					"--sink-jar=" + System.getProperty("bench.sink.jar"), "--output=" + output });
		Path results = Benchmark.run(options);
		JsonNode figures = JsonMapper.builder().build().readTree(results.toFile());
		assertThat(figures.at("/ceilings/rabbitmqPerfTestMsgPerSecond").asLong()).isPositive();
		assertThat(figures.at("/ceilings/postgresqlRowsPerSecond").asLong()).isPositive();
		assertThat(figures.at("/load/accepted").asLong()).isPositive();
		assertThat(figures.at("/load/stored").asLong()).isEqualTo(figures.at("/load/accepted").asLong());
		assertThat(figures.at("/load/lost").asLong()).isZero();
		assertThat(figures.at("/load/acceptLatencyMillis/p99").asDouble()).isPositive();
		assertThat(figures.at("/load/resources/order-source/cpuMicrosPerOrder").asLong()).isPositive();
		assertThat(figures.at("/load/resources/order-sink/peakRssMegabytes").asLong()).isPositive();
		// The database's backends are counted too.
		assertThat(figures.at("/load/resources/postgresql/cpuMicrosPerOrder").asLong()).isPositive();
		assertThat(figures.at("/backlogDrains/0/ordersPerSecond").asLong()).isPositive();
		assertThat(figures.at("/live/idleStreams").asInt()).isEqualTo(20);
		assertThat(figures.at("/live/rssMegabytesWith").asLong()).isPositive();
		assertThat(figures.at("/live/received").asLong()).as("every order followed reached its client").isEqualTo(10);
		assertThat(figures.at("/live/rowToClientMillisMax").asDouble()).isPositive();
		// The streaming intake, per order.
		assertThat(figures.at("/streamLoad/intake").asString()).isEqualTo("stream");
		assertThat(figures.at("/streamLoad/accepted").asLong()).isPositive();
		assertThat(figures.at("/streamLoad/stored").asLong()).isEqualTo(figures.at("/streamLoad/accepted").asLong());
		assertThat(figures.at("/streamLoad/refused").asLong()).isZero();
		assertThat(figures.at("/streamLoad/acceptLatencyMillis/p99").asDouble()).isPositive();
		// The reference pipeline, and each intake as a share of it.
		assertThat(figures.at("/reference/accepted").asLong()).isPositive();
		assertThat(figures.at("/reference/stored").asLong()).isEqualTo(figures.at("/reference/accepted").asLong());
		assertThat(figures.at("/reference/resources/reference/cpuMicrosPerOrder").asLong()).isPositive();
		assertThat(figures.at("/shares/loadStoredShareOfReference").asDouble()).isPositive();
		assertThat(figures.at("/shares/streamLoadStoredShareOfReference").asDouble()).isPositive();
		assertThat(Files.readString(results.resolveSibling(results.getFileName().toString().replace(".json", ".html"))))
			.contains("<svg");
	}

	@Test
	void onKafkaAShortRunMeasuresTheKafkaCeilingAndLosesNothing(@TempDir Path output) throws Exception {
		BenchOptions options = BenchOptions.parse(new String[] { "--binder=kafka", "--warmup=1s", "--duration=2s",
				"--connections=8", "--backlogs=2000", "--ceiling-duration=2s", "--live-streams=0",
				"--source-jar=" + System.getProperty("bench.source.jar"),
				"--sink-jar=" + System.getProperty("bench.sink.jar"), "--output=" + output });
		Path results = Benchmark.run(options);
		JsonNode figures = JsonMapper.builder().build().readTree(results.toFile());
		assertThat(figures.at("/options/binder").asString()).isEqualTo("kafka");
		assertThat(figures.at("/ceilings/kafkaProducerConsumerMsgPerSecond").asLong()).isPositive();
		assertThat(figures.at("/load/accepted").asLong()).isPositive();
		assertThat(figures.at("/load/stored").asLong()).isEqualTo(figures.at("/load/accepted").asLong());
		assertThat(figures.at("/load/lost").asLong()).isZero();
		assertThat(figures.at("/load/resources/kafka/peakRssMegabytes").asLong()).isPositive();
		assertThat(figures.at("/reference/stored").asLong()).isEqualTo(figures.at("/reference/accepted").asLong())
			.isPositive();
		assertThat(figures.at("/shares/loadStoredShareOfReference").asDouble()).isPositive();
		assertThat(figures.at("/backlogDrains/0/ordersPerSecond").asLong()).isPositive();
	}

	@Test
	@EnabledIf(value = "dev.orderpipeline.bench.WrkLoad#available",
			disabledReason = "wrk is not installed (apt-get install wrk)")
	void wrkDrivesTheLoadAndItsCpuTimeIsCounted(@TempDir Path output) throws Exception {
		BenchOptions options = BenchOptions.parse(new String[] { "--load-generator=wrk", "--warmup=2s", "--duration=3s",
				"--connections=8", "--backlogs=none", "--ceilings=false", "--live-streams=0", "--reference=false",
				"--source-jar=" + System.getProperty("bench.source.jar"),
				"--sink-jar=" + System.getProperty("bench.sink.jar"), "--output=" + output });
		Path results = Benchmark.run(options);
		JsonNode figures = JsonMapper.builder().build().readTree(results.toFile());
		assertThat(figures.at("/load/loadGenerator").asString()).isEqualTo("wrk");
		long accepted = figures.at("/load/accepted").asLong();
		assertThat(accepted).isPositive();
		// wrk stops without waiting for the answers in flight, at most one per
		// connection: those orders are stored but not counted as accepted.
		assertThat(figures.at("/load/stored").asLong()).isBetween(accepted, accepted + 8);
		assertThat(figures.at("/load/lost").asLong()).isZero();
		assertThat(figures.at("/load/acceptLatencyMillis/p99").asDouble()).isPositive();
		assertThat(figures.at("/load/resources/load-generator/cpuMicrosPerOrder").asLong()).isPositive();
		assertThat(figures.at("/load/resources/load-generator/peakRssMegabytes").asLong()).isPositive();
	}

}
