package dev.orderpipeline.bench;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * Reading wrk's figures, and the options that go with it.
 */
class WrkLoadTests {

	private static final String OUTPUT = """
			Running 3s test @ http://127.0.0.1:8000/orders
			  1 threads and 8 connections
			  Thread Stats   Avg      Stdev     Max   +/- Stdev
			    Latency     2.10ms    1.02ms  20.31ms   90.12%
			    Req/Sec     3.80k   210.12     4.10k    70.00%
			  11403 requests in 3.00s, 2.01MB read
			  Non-2xx or 3xx responses: 3
			Requests/sec:   3800.12
			Transfer/sec:    685.43KB
			wrk-result 11403 3 0 1 0 2
			wrk-latency 1870 6021 12480 20310
			0m0.004s 0m0.002s
			0m0.512s 0m1.250s
			""";

	@Test
	void readsTheAnswersTheLatencyAndTheCpuTimeOfTheShellsChildren() {
		WrkLoad.Result result = WrkLoad.Result.parse(OUTPUT);
		assertThat(result.responses()).isEqualTo(11403);
		assertThat(result.refused()).isEqualTo(3);
		assertThat(result.accepted()).isEqualTo(11400);
		assertThat(result.failed()).isEqualTo(3);
		assertThat(result.latencyMicros()).containsExactly(1870, 6021, 12480, 20310);
		assertThat(result.cpuMicros()).isEqualTo(1_762_000);
	}

	@Test
	void minutesOfCpuTimeCount() {
		WrkLoad.Result result = WrkLoad.Result.parse(OUTPUT.replace("0m0.512s 0m1.250s", "1m2.500s 0m0.500s"));
		assertThat(result.cpuMicros()).isEqualTo(63_000_000);
	}

	@Test
	void outputWithoutTheFiguresIsAnError() {
		assertThatIllegalStateException()
			.isThrownBy(() -> WrkLoad.Result.parse("unable to connect to 127.0.0.1:8000 Connection refused\n"))
			.withMessageContaining("Connection refused");
	}

	@Test
	void wrkRunsInClosedLoopOnly() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> BenchOptions.parse(new String[] { "--load-generator=wrk", "--rate=1000" }))
			.withMessageContaining("closed loop only");
	}

	@Test
	void anUnknownLoadGeneratorIsRefused() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> BenchOptions.parse(new String[] { "--load-generator=ab" }))
			.withMessageContaining("own or wrk, not ab");
	}

	@Test
	void theOwnGeneratorIsTheDefault() {
		assertThat(BenchOptions.parse(new String[0]).wrk()).isFalse();
	}

}
