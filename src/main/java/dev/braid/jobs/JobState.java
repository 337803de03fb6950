package dev.braid.jobs;

/** A job's lifecycle: queued → running → succeeded | failed | cancelled (queued may be cancelled too). */
public enum JobState {
    QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED;

    public String id() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public boolean terminal() {
        return this == SUCCEEDED || this == FAILED || this == CANCELLED;
    }

    public static JobState of(String id) {
        return valueOf(id.toUpperCase(java.util.Locale.ROOT));
    }
}
