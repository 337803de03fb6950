package dev.braid.metrics;

import dev.braid.decoding.Speculation;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;
import reactor.core.Disposable;
import reactor.core.scheduler.Schedulers;

/**
 * Takes one {@link RequestRecord} per request from any thread without blocking, updates the meters
 * at once, and writes the rows on {@code boundedElastic}. While the database is down rows stay in
 * a bounded buffer and are written when it is back; when the buffer is full the newest rows are
 * dropped and counted ({@code braid_metrics_dropped_total{reason="buffer_full"}}), so inference
 * never waits on the database. A batch the database refuses while it is up is written again row by
 * row, so one row it cannot store ({@code reason="unwritable"}) is dropped alone and the rest flow on.
 */
@Service
public class MetricsRecorder implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(MetricsRecorder.class);
    static final String BUFFER_FULL = "buffer_full";
    static final String UNWRITABLE = "unwritable";

    private final RequestMetricRepository repository;
    private final TransactionTemplate tx;
    private final RequestMeters meters;
    private final MetricsProperties properties;
    private final ConcurrentLinkedDeque<RequestRecord> buffer = new ConcurrentLinkedDeque<>();
    private final AtomicInteger buffered = new AtomicInteger();
    private final AtomicBoolean flushPending = new AtomicBoolean();
    private final Counter droppedFull;
    private final Counter droppedUnwritable;
    private final Set<String> loggedDrops = ConcurrentHashMap.newKeySet();
    private final Counter written;
    private final Disposable periodic;
    private volatile boolean lastFlushFailed;

    public MetricsRecorder(RequestMetricRepository repository, TransactionTemplate tx, RequestMeters meters,
                           MetricsProperties properties, MeterRegistry registry) {
        this.repository = repository;
        this.tx = tx;
        this.meters = meters;
        this.properties = properties;
        this.droppedFull = dropCounter(registry, BUFFER_FULL);
        this.droppedUnwritable = dropCounter(registry, UNWRITABLE);
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
            droppedFull.increment();
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

    /** Counts what a finished request's guesses did; never blocks. */
    public void recordSpeculation(String model, String strategy, Speculation speculation) {
        try {
            meters.recordSpeculation(model, strategy, speculation);
        } catch (RuntimeException e) {
            log.warn("could not update speculative decoding meters", e);
        }
    }

    public int buffered() {
        return buffered.get();
    }

    /** Rows dropped for any reason. */
    public double dropped() {
        return droppedFull.count() + droppedUnwritable.count();
    }

    /**
     * Writes what is buffered; blocking. While the database cannot take rows the rows stay buffered
     * (in order) and the failure is rethrown.
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
                write(batch);
                total += batch.size();
            } catch (RuntimeException e) {
                if (!refusedRow(e)) {
                    putBack(batch, e);
                }
                total += writeRowByRow(batch);
            }
        }
        if (lastFlushFailed) {
            log.info("request metrics written again after the database came back");
        }
        lastFlushFailed = false;
        return total;
    }

    /** After the database refused a batch: every row on its own, dropping only those it refuses. */
    private int writeRowByRow(List<RequestRecord> batch) {
        int total = 0;
        for (int i = 0; i < batch.size(); i++) {
            RequestRecord row = batch.get(i);
            try {
                write(List.of(row));
                total++;
            } catch (RuntimeException e) {
                if (!refusedRow(e)) {
                    putBack(batch.subList(i, batch.size()), e);
                }
                buffered.decrementAndGet();
                droppedUnwritable.increment();
                String kind = e.getClass().getSimpleName();
                if (loggedDrops.add(kind)) {
                    log.warn("dropped a request_metrics row the database refused ({}; further rows refused this way "
                            + "are counted in braid_metrics_dropped_total, reason {}, not logged): {}",
                            kind, UNWRITABLE, rootMessage(e));
                }
            }
        }
        return total;
    }

    private void write(List<RequestRecord> rows) {
        tx.executeWithoutResult(status -> repository.saveAll(rows.stream().map(RequestMetric::new).toList()));
        buffered.addAndGet(-rows.size());
        written.increment(rows.size());
    }

    /** Puts {@code rows} back at the front of the buffer, in order, and rethrows the outage. */
    private void putBack(List<RequestRecord> rows, RuntimeException outage) {
        for (int i = rows.size() - 1; i >= 0; i--) {
            buffer.addFirst(rows.get(i));
        }
        if (!lastFlushFailed) {
            log.warn("cannot write request metrics ({} buffered): {}", buffered.get(), rootMessage(outage));
        }
        lastFlushFailed = true;
        throw outage;
    }

    /**
     * The database refused the data it was given (SQLSTATE class 22, data exception, e.g. a NUL in
     * text; class 23, integrity constraint), as opposed to not being reachable. Anything else counts
     * as an outage: rows then wait in the bounded buffer rather than being dropped for a failure
     * that is not theirs.
     */
    static boolean refusedRow(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof DataIntegrityViolationException) {
                return true;
            }
            if (cause instanceof SQLException sql && sql.getSQLState() != null
                    && (sql.getSQLState().startsWith("22") || sql.getSQLState().startsWith("23"))) {
                return true;
            }
        }
        return false;
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage();
    }

    private static Counter dropCounter(MeterRegistry registry, String reason) {
        return Counter.builder("braid.metrics.dropped").tag("reason", reason)
                .description("request_metrics rows dropped: the buffer was full (database down too long) or the "
                        + "database refused the row").register(registry);
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
