package dev.braid.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;
import reactor.core.Disposable;
import reactor.core.scheduler.Schedulers;

/**
 * Takes one {@link RequestRecord} per request from any thread without blocking, updates the meters
 * at once, and writes the rows on {@code boundedElastic}. While the database is down rows stay in
 * a bounded buffer and are written when it is back; when the buffer is full the newest rows are
 * dropped and counted ({@code braid.metrics.dropped}), so inference never waits on the database.
 */
@Service
public class MetricsRecorder implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(MetricsRecorder.class);

    private final RequestMetricRepository repository;
    private final TransactionTemplate tx;
    private final RequestMeters meters;
    private final MetricsProperties properties;
    private final ConcurrentLinkedDeque<RequestRecord> buffer = new ConcurrentLinkedDeque<>();
    private final AtomicInteger buffered = new AtomicInteger();
    private final AtomicBoolean flushPending = new AtomicBoolean();
    private final Counter dropped;
    private final Counter written;
    private final Disposable periodic;
    private volatile boolean lastFlushFailed;

    public MetricsRecorder(RequestMetricRepository repository, TransactionTemplate tx, RequestMeters meters,
                           MetricsProperties properties, MeterRegistry registry) {
        this.repository = repository;
        this.tx = tx;
        this.meters = meters;
        this.properties = properties;
        this.dropped = Counter.builder("braid.metrics.dropped")
                .description("request_metrics rows dropped because the buffer was full").register(registry);
        this.written = Counter.builder("braid.metrics.written")
                .description("request_metrics rows written").register(registry);
        Gauge.builder("braid.metrics.buffered", buffered, AtomicInteger::get)
                .description("request_metrics rows waiting to be written").register(registry);
        long every = properties.flushInterval().toMillis();
        this.periodic = Schedulers.boundedElastic().schedulePeriodically(this::flushQuietly, every, every,
                TimeUnit.MILLISECONDS);
    }

    /** Never blocks: safe on worker threads and the event loop. */
    public void record(RequestRecord record) {
        try {
            meters.record(record);
        } catch (RuntimeException e) {
            log.warn("could not update request meters", e);
        }
        if (buffered.incrementAndGet() > properties.bufferCapacity()) {
            buffered.decrementAndGet();
            dropped.increment();
            return;
        }
        buffer.addLast(record);
        // after a failed write, leave retries to the periodic flush instead of one per request
        if (!lastFlushFailed && flushPending.compareAndSet(false, true)) {
            Schedulers.boundedElastic().schedule(() -> {
                flushPending.set(false);
                flushQuietly();
            });
        }
    }

    public int buffered() {
        return buffered.get();
    }

    public double dropped() {
        return dropped.count();
    }

    /**
     * Writes what is buffered; blocking. Rows of a failed batch go back to the front of the buffer.
     *
     * @return rows written
     */
    public synchronized int flush() {
        int total = 0;
        while (!buffer.isEmpty()) {
            List<RequestRecord> batch = new ArrayList<>();
            RequestRecord next;
            while (batch.size() < properties.batchSize() && (next = buffer.pollFirst()) != null) {
                batch.add(next);
            }
            try {
                tx.executeWithoutResult(status -> repository.saveAll(batch.stream().map(RequestMetric::new).toList()));
            } catch (RuntimeException e) {
                for (int i = batch.size() - 1; i >= 0; i--) {
                    buffer.addFirst(batch.get(i));
                }
                if (!lastFlushFailed) {
                    log.warn("cannot write request metrics ({} buffered): {}", buffered.get(), e.getMessage());
                }
                lastFlushFailed = true;
                throw e;
            }
            buffered.addAndGet(-batch.size());
            written.increment(batch.size());
            total += batch.size();
        }
        if (lastFlushFailed) {
            log.info("request metrics written again after the database came back");
        }
        lastFlushFailed = false;
        return total;
    }

    private void flushQuietly() {
        try {
            flush();
        } catch (RuntimeException e) {
            // kept in the buffer; logged once per outage in flush()
        }
    }

    @Override
    public void destroy() {
        periodic.dispose();
        flushQuietly();
    }
}
