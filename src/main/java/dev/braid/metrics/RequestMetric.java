package dev.braid.metrics;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** A persisted {@link RequestRecord}. */
@Entity
@Table(name = "request_metrics")
public class RequestMetric {

    @Id
    private UUID id;
    @Column(name = "created_at", nullable = false)
    private Instant createdAt;
    @Column(nullable = false)
    private String endpoint;
    private String model;
    private String strategy;
    @Column(name = "selector_reason")
    private String selectorReason;
    @Column(name = "prompt_category")
    private String promptCategory;
    @Column(name = "prompt_tokens")
    private int promptTokens;
    @Column(name = "cached_tokens")
    private int cachedTokens;
    @Column(name = "completion_tokens")
    private int completionTokens;
    private int steps;
    @Column(name = "query_tokens")
    private long queryTokens;
    @Column(name = "ttft_ms")
    private Double ttftMs;
    @Column(name = "latency_ms")
    private double latencyMs;
    @Column(name = "peak_kv_blocks")
    private int peakKvBlocks;
    @Column(nullable = false)
    private String outcome;
    @Column(name = "error_code")
    private String errorCode;

    protected RequestMetric() {
    }

    RequestMetric(RequestRecord r) {
        this.id = UUID.randomUUID();
        this.createdAt = r.createdAt();
        this.endpoint = r.endpoint();
        this.model = truncate(r.model(), 128);
        this.strategy = r.strategy();
        this.selectorReason = truncate(r.selectorReason(), 512);
        this.promptCategory = r.promptCategory();
        this.promptTokens = r.promptTokens();
        this.cachedTokens = r.cachedTokens();
        this.completionTokens = r.completionTokens();
        this.steps = r.steps();
        this.queryTokens = r.queryTokens();
        this.ttftMs = r.ttftMs();
        this.latencyMs = r.latencyMs();
        this.peakKvBlocks = r.peakKvBlocks();
        this.outcome = r.outcome().id();
        this.errorCode = r.errorCode();
    }

    private static String truncate(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }

    public UUID id() {
        return id;
    }

    public Instant createdAt() {
        return createdAt;
    }

    public String endpoint() {
        return endpoint;
    }

    public String model() {
        return model;
    }

    public String strategy() {
        return strategy;
    }

    public String selectorReason() {
        return selectorReason;
    }

    public String promptCategory() {
        return promptCategory;
    }

    public int promptTokens() {
        return promptTokens;
    }

    public int completionTokens() {
        return completionTokens;
    }

    public int steps() {
        return steps;
    }

    public int cachedTokens() {
        return cachedTokens;
    }

    public long queryTokens() {
        return queryTokens;
    }

    public Double ttftMs() {
        return ttftMs;
    }

    public double latencyMs() {
        return latencyMs;
    }

    public int peakKvBlocks() {
        return peakKvBlocks;
    }

    public String outcome() {
        return outcome;
    }

    public String errorCode() {
        return errorCode;
    }
}
