package dev.budgateway.filters.fallback;

import dev.budgateway.config.RetryPolicy;
import dev.budgateway.plugins.spi.Route;
import dev.budgateway.plugins.spi.RouteTarget;
import dev.budgateway.providers.CatalogModel;
import dev.budgateway.providers.ModelCatalog;
import dev.budgateway.providers.ModelProvider;
import java.util.ArrayList;
import java.util.List;

/**
 * Every attempt a request may make, in order: for each model of the route (the requested one, then its
 * fallback models), {@code 1 + retries.num_retries} passes over its providers, and each provider tried
 * {@code 1 + its retries.num_retries} times, up to {@link #MAX_STEPS} in all (retries are capped at 100
 * each and fallback chains at 16 models, but their product could still be large). Most requests make only
 * the first.
 */
final class AttemptPlan {

    /**
     * One attempt.
     *
     * @param backoff the policy of the wait before it when it follows a failure, or {@code null} for none
     *     (a new candidate goes at once)
     * @param retry which retry of that policy this is (0 for the first)
     */
    record Step(RouteTarget target, RetryPolicy backoff, int retry) {}

    static final int MAX_STEPS = 1000;

    private AttemptPlan() {}

    static List<Step> of(Route route, ModelCatalog catalog) {
        List<Step> steps = new ArrayList<>();
        List<RouteTarget> targets = route.targets();
        int i = 0;
        while (i < targets.size()) {
            String model = targets.get(i).model();
            int end = i;
            while (end < targets.size() && targets.get(end).model().equals(model)) {
                end++;
            }
            CatalogModel m = catalog.find(model);
            RetryPolicy modelRetries = m == null ? RetryPolicy.NONE : m.retries();
            for (int pass = 0; pass <= modelRetries.numRetries(); pass++) {
                for (int k = i; k < end; k++) {
                    RouteTarget target = targets.get(k);
                    ModelProvider p = m == null ? null : m.provider(target.provider());
                    RetryPolicy providerRetries = p == null ? RetryPolicy.NONE : p.config().policy().retries();
                    boolean passStart = k == i && pass > 0;
                    steps.add(new Step(target, passStart ? modelRetries : null, pass - 1));
                    for (int t = 1; t <= providerRetries.numRetries(); t++) {
                        steps.add(new Step(target, providerRetries, t - 1));
                    }
                    if (steps.size() >= MAX_STEPS) {
                        return steps.subList(0, MAX_STEPS);
                    }
                }
            }
            i = end;
        }
        return steps;
    }
}
