package dev.braid.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.anyIterable;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import dev.braid.registry.ModelRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.transaction.support.AbstractPlatformTransactionManager;
import org.springframework.transaction.support.DefaultTransactionStatus;
import org.springframework.transaction.support.TransactionTemplate;

/** The buffer between requests and the database: kept while it is down, bounded, drops counted. */
class MetricsRecorderTest {

    private final AtomicBoolean databaseUp = new AtomicBoolean(false);
    private final List<Object> written = new ArrayList<>();

    private MetricsRecorder recorder(int capacity) {
        RequestMetricRepository repository = mock(RequestMetricRepository.class);
        when(repository.saveAll(anyIterable())).thenAnswer(call -> {
            if (!databaseUp.get()) {
                throw new DataAccessResourceFailureException("database down");
            }
            List<RequestMetric> rows = new ArrayList<>();
            ((Iterable<?>) call.getArgument(0)).forEach(row -> rows.add((RequestMetric) row));
            if (rows.stream().anyMatch(row -> row.model().contains("\u0000"))) {
                throw new DataIntegrityViolationException("invalid byte sequence for encoding \"UTF8\": 0x00");
            }
            written.addAll(rows);
            return List.of();
        });
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        return new MetricsRecorder(repository, new TransactionTemplate(new NoTransactions()),
                new RequestMeters(meters, mock(ModelRegistry.class)), new MetricsProperties(capacity, Duration.ofHours(1), 2), meters);
    }

    private static RequestRecord record() {
        return record("m");
    }

    private static RequestRecord record(String model) {
        return new RequestRecord(Instant.now(), "completions", model, "ar", "requested", "short", 3, 0, 4, 4, 4, 1.0, 2.0, 1,
                Outcome.OK, null);
    }

    @Test
    void aRowTheDatabaseRefusesIsDroppedAloneAndTheRestAreWritten() {
        databaseUp.set(true);
        MetricsRecorder recorder = recorder(10);
        for (String model : List.of("a", "b", "poison\u0000", "c", "d")) {
            recorder.record(record(model));
        }
        recorder.flush(); // the writes each record() schedules may have taken some rows already
        assertThat(written).extracting(row -> ((RequestMetric) row).model()).containsExactly("a", "b", "c", "d");
        assertThat(recorder.buffered()).isZero();
        assertThat(recorder.dropped()).isEqualTo(1.0);
        recorder.destroy();
    }

    @Test
    void rowsWaitWhileTheDatabaseIsDownAndOverflowIsDroppedAndCounted() {
        MetricsRecorder recorder = recorder(3);
        for (int i = 0; i < 5; i++) {
            recorder.record(record());
        }
        assertThat(recorder.buffered()).isEqualTo(3);
        assertThat(recorder.dropped()).isEqualTo(2.0);
        assertThatThrownBy(recorder::flush).isInstanceOf(DataAccessResourceFailureException.class);
        assertThat(recorder.buffered()).isEqualTo(3);
        databaseUp.set(true);
        recorder.flush();
        assertThat(written).hasSize(3);
        assertThat(recorder.buffered()).isZero();
        recorder.destroy();
    }

    /** Runs the callback without a real transaction, as a stand-in for the JPA one. */
    private static final class NoTransactions extends AbstractPlatformTransactionManager {
        @Override
        protected Object doGetTransaction() {
            return new Object();
        }

        @Override
        protected void doBegin(Object transaction, org.springframework.transaction.TransactionDefinition definition) {
        }

        @Override
        protected void doCommit(DefaultTransactionStatus status) {
        }

        @Override
        protected void doRollback(DefaultTransactionStatus status) {
        }
    }
}
