package dev.budgateway.providers.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.budgateway.config.LoadBalancing;
import java.util.List;
import org.junit.jupiter.api.Test;

class BalancerTest {

    record Candidate(int weight, int inFlight, double latencyMs) implements Balanced {}

    @Test
    void orderedAlwaysPicksTheFirst() {
        Balancer b = new Balancer(LoadBalancing.ORDERED);
        List<Candidate> c = List.of(new Candidate(1, 9, 900), new Candidate(1, 0, 1));
        for (int i = 0; i < 10; i++) {
            assertEquals(0, b.pick(c));
        }
    }

    @Test
    void roundRobinTakesTurns() {
        Balancer b = new Balancer(LoadBalancing.ROUND_ROBIN);
        List<Candidate> c = List.of(new Candidate(1, 0, 0), new Candidate(1, 0, 0), new Candidate(1, 0, 0));
        int[] counts = new int[3];
        for (int i = 0; i < 300; i++) {
            counts[b.pick(c)]++;
        }
        assertEquals(100, counts[0]);
        assertEquals(100, counts[1]);
        assertEquals(100, counts[2]);
    }

    @Test
    void weightedFollowsTheWeights() {
        Balancer b = new Balancer(LoadBalancing.WEIGHTED);
        List<Candidate> c = List.of(new Candidate(1, 0, 0), new Candidate(3, 0, 0), new Candidate(6, 0, 0));
        int[] counts = new int[3];
        int n = 100_000;
        for (int i = 0; i < n; i++) {
            counts[b.pick(c)]++;
        }
        assertEquals(0.1, counts[0] / (double) n, 0.01);
        assertEquals(0.3, counts[1] / (double) n, 0.01);
        assertEquals(0.6, counts[2] / (double) n, 0.01);
    }

    @Test
    void leastConnectionsPicksTheLeastBusyAndSharesTies() {
        Balancer b = new Balancer(LoadBalancing.LEAST_CONNECTIONS);
        assertEquals(2, b.pick(List.of(new Candidate(1, 5, 0), new Candidate(1, 3, 0), new Candidate(1, 1, 0))));
        List<Candidate> tied = List.of(new Candidate(1, 2, 0), new Candidate(1, 2, 0));
        int first = 0;
        for (int i = 0; i < 100; i++) {
            first += b.pick(tied) == 0 ? 1 : 0;
        }
        assertEquals(50, first);
    }

    @Test
    void aLatencyEstimateFadesWithoutNewSamples() throws Exception {
        UpstreamTarget t = new UpstreamTarget(java.net.URI.create("http://x:1/v1"), null, 1, null);
        t.answered(200_000_000);
        double fresh = t.latencyMs();
        assertEquals(200, fresh, 1);
        Thread.sleep(200);
        assertTrue(t.latencyMs() < fresh, "a slow replica's old estimate fades, so it gets tried again");
    }

    @Test
    void latencyPrefersTheFaster() {
        Balancer b = new Balancer(LoadBalancing.LATENCY);
        List<Candidate> c = List.of(new Candidate(1, 0, 200), new Candidate(1, 0, 20));
        int fast = 0;
        for (int i = 0; i < 1000; i++) {
            fast += b.pick(c) == 1 ? 1 : 0;
        }
        assertEquals(1000, fast, "with two candidates both are always compared: the faster wins");
        List<Candidate> three = List.of(new Candidate(1, 0, 200), new Candidate(1, 0, 20), new Candidate(1, 0, 30));
        int slowest = 0;
        for (int i = 0; i < 3000; i++) {
            slowest += b.pick(three) == 0 ? 1 : 0;
        }
        assertEquals(0, slowest, "the slowest loses every pair it is in");
        List<Candidate> unmeasured = List.of(new Candidate(1, 0, 50), new Candidate(1, 0, 0));
        assertTrue(b.pick(unmeasured) == 1, "an unmeasured candidate is tried first");
    }
}
