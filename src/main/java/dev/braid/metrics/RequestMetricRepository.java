package dev.braid.metrics;

import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Query;

public interface RequestMetricRepository extends JpaRepository<RequestMetric, UUID> {

    List<RequestMetric> findByCreatedAtAfterOrderByCreatedAtAsc(Instant after);

    /**
     * Completed requests per model × strategy × prompt category: the selector's learned statistics.
     * Rows written before query tokens were recorded (0) are left out: their steps cannot be priced.
     */
    @Query("""
            select m.model as model, m.strategy as strategy, m.promptCategory as promptCategory,
                   count(m) as requests, sum(m.completionTokens) as completionTokens,
                   sum(m.latencyMs) as latencyMs, sum(m.steps) as steps,
                   sum(m.queryTokens) as queryTokens
            from RequestMetric m
            where m.createdAt > ?1 and m.outcome = 'ok' and m.strategy is not null and m.queryTokens > 0
            group by m.model, m.strategy, m.promptCategory""")
    List<StrategyTotals> totalsSince(Instant after);

    interface StrategyTotals {
        String getModel();

        String getStrategy();

        String getPromptCategory();

        long getRequests();

        Long getCompletionTokens();

        Double getLatencyMs();

        Long getSteps();

        Long getQueryTokens();
    }
}
