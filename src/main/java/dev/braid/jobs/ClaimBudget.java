package dev.braid.jobs;

import dev.braid.registry.ServedModel;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What this replica can start now, taken before claiming so the job runner never claims a job it
 * would have to hand back: free job slots ({@code braid.jobs.max-running}), the admission queue's
 * room by count and by prompt tokens, and each model's worker waiting room. Only other requests
 * can take that room before the claimed jobs start (the runner's polls run one at a time); the
 * rare claim that then finds a full queue is handed back, its attempt returned.
 */
final class ClaimBudget {

    private final Map<String, Integer> modelRoom = new LinkedHashMap<>();
    private int jobs;
    private long promptTokens;

    private ClaimBudget(int jobs, long promptTokens) {
        this.jobs = jobs;
        this.promptTokens = promptTokens;
    }

    static ClaimBudget of(int freeJobSlots, Admission admission, Collection<ServedModel> models) {
        ClaimBudget budget = new ClaimBudget(Math.max(0, Math.min(freeJobSlots, admission.requestRoom())),
                admission.promptTokenRoom());
        for (ServedModel model : models) {
            int room = Math.min(model.pool().room(), budget.jobs);
            if (room > 0) {
                budget.modelRoom.put(model.name(), room);
            }
        }
        return budget;
    }

    /** Models with room, each with the most jobs worth claiming for it. */
    Map<String, Integer> models() {
        return Map.copyOf(modelRoom);
    }

    boolean isEmpty() {
        return jobs == 0 || modelRoom.isEmpty();
    }

    /** Takes room for one job of {@code model} waiting with {@code tokens} prompt tokens, if there is room. */
    boolean take(String model, long tokens) {
        int room = modelRoom.getOrDefault(model, 0);
        if (jobs == 0 || room == 0 || tokens > promptTokens) {
            return false;
        }
        jobs--;
        promptTokens -= tokens;
        modelRoom.put(model, room - 1);
        return true;
    }
}
