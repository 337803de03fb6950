package dev.braid.registry;

import ai.djl.Device;
import dev.braid.common.ErrorKind;
import dev.braid.common.ServiceException;
import dev.braid.model.CpuThreads;
import dev.braid.model.BundledModels;
import dev.braid.model.LoadedModel;
import dev.braid.model.ModelConfig;
import dev.braid.model.ModelLoadException;
import dev.braid.worker.WorkerPool;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The models this deployment knows (rows in {@code models}) and the ones loaded on this replica's
 * workers. Every method blocks (JPA, weight loading): callers on the event loop go through
 * {@code Schedulers.boundedElastic()}. Reading {@link #served} is a map lookup and never blocks.
 */
@Service
public class ModelRegistry implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ModelRegistry.class);
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}");

    private final ModelEntryRepository repository;
    private final TransactionTemplate tx;
    private final EngineProperties engine;
    private final ApplicationEventPublisher events;
    private final Map<String, ServedModel> served = new ConcurrentHashMap<>();
    private final Map<String, ModelState> states = new ConcurrentHashMap<>();
    private final Map<String, String> failures = new ConcurrentHashMap<>();
    private final Map<String, Object> locks = new ConcurrentHashMap<>();

    public ModelRegistry(ModelEntryRepository repository, TransactionTemplate tx, EngineProperties engine,
                         ApplicationEventPublisher events) {
        this.repository = repository;
        this.tx = tx;
        this.engine = engine;
        this.events = events;
        int threads = CpuThreads.apply(engine.cpuThreads());
        log.info("PyTorch runs parallel steps on {} CPU thread(s), workers' small steps on one each (braid.engine.cpu-threads)", threads);
    }

    /** The model if it is loaded here; a lock-free lookup, safe on the event loop. */
    public Optional<ServedModel> served(String name) {
        return Optional.ofNullable(name == null ? null : served.get(name));
    }

    public Collection<ServedModel> servedModels() {
        return List.copyOf(served.values());
    }

    /**
     * The state of a model this replica has seen registered (empty for names it never saw); a map
     * lookup that tells 404 (unknown) from 409 (registered, not loaded) without the database.
     */
    public Optional<ModelState> localState(String name) {
        return Optional.ofNullable(states.get(name));
    }

    public boolean isRegistered(String name) {
        return repository.existsById(name);
    }

    public List<ModelView> list() {
        return repository.findAllByOrderByNameAsc().stream().map(this::view).toList();
    }

    public ModelView get(String name) {
        return view(entry(name));
    }

    public List<String> loadOnStartNames() {
        return repository.findAllByOrderByNameAsc().stream().filter(ModelEntry::loaded).map(ModelEntry::name).toList();
    }

    /** Registers a model folder; the folder must hold a readable {@code config.json} and tokenizer. */
    public ModelView register(String name, String path, List<String> capabilities, String draftPartner, boolean load) {
        return register(name, path, capabilities, draftPartner, load, load);
    }

    /** {@code loadOnStart} is the stored desired state; {@code loadNow} loads it before returning. */
    ModelView register(String name, String path, List<String> capabilities, String draftPartner, boolean loadOnStart,
                       boolean loadNow) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw ServiceException.invalid("name", "name must be 1-128 characters of letters, digits and ._:/- "
                    + "starting with a letter or digit, got " + (name == null ? "nothing" : "'" + name + "'"));
        }
        Path folder = checkFolder(path);
        Set<Capability> caps = parseCapabilities(capabilities);
        tx.executeWithoutResult(status -> {
            if (repository.existsById(name)) {
                throw new ServiceException(ErrorKind.CONFLICT, "name", "model '" + name + "' is already registered");
            }
            checkDraftPartner(name, draftPartner);
            String stored = path.startsWith(BundledModels.SCHEME) ? path : folder.toString();
            repository.save(new ModelEntry(name, stored, caps, draftPartner, loadOnStart));
        });
        states.putIfAbsent(name, ModelState.UNLOADED);
        log.info("registered model {} at {}", name, folder);
        if (loadNow) {
            try {
                load(name);
            } catch (ServiceException e) {
                // stays registered; its view says why it failed, and POST .../load retries
                log.warn("{}", e.getMessage());
            }
        }
        return get(name);
    }

    /** Changes what the model is registered as; {@code null} leaves a field as it is. */
    public ModelView update(String name, List<String> capabilities, String draftPartner, boolean clearDraftPartner) {
        Set<Capability> caps = capabilities == null ? null : parseCapabilities(capabilities);
        ModelEntry updated = tx.execute(status -> {
            ModelEntry entry = entry(name);
            if (caps != null) {
                entry.capabilities(caps);
            }
            if (clearDraftPartner) {
                entry.draftPartner(null);
            } else if (draftPartner != null) {
                checkDraftPartner(name, draftPartner);
                entry.draftPartner(draftPartner);
            }
            return repository.save(entry);
        });
        ServedModel model = served.get(name);
        if (model != null) {
            model.update(updated.capabilities(), updated.draftPartner());
        }
        return view(updated);
    }

    /** Loads the model's weights onto every configured device and starts its workers. */
    public ModelView load(String name) {
        synchronized (lock(name)) {
            ModelEntry entry = entry(name);
            if (!entry.loaded()) {
                tx.executeWithoutResult(status -> {
                    ModelEntry fresh = entry(name);
                    fresh.loaded(true);
                    repository.save(fresh);
                });
            }
            if (served.containsKey(name)) {
                return view(entry(name));
            }
            states.put(name, ModelState.LOADING);
            failures.remove(name);
            List<LoadedModel> replicas = new ArrayList<>();
            try {
                for (String device : engine.devices()) {
                    replicas.add(LoadedModel.load(BundledModels.resolve(entry.path()), Device.fromName(device),
                            engine.dtypeChoice()));
                }
                WorkerPool pool = WorkerPool.of(replicas.stream().map(LoadedModel::transformer).toList(),
                        engine.workerSettings());
                ServedModel model = new ServedModel(name, replicas, pool, entry.capabilities(), entry.draftPartner());
                served.put(name, model);
                states.put(name, ModelState.LOADED);
                events.publishEvent(new ModelLifecycleEvent(model, true));
                log.info("model {} loaded on {} ({} parameters)", name, engine.devices(),
                        replicas.get(0).transformer().parameterCount());
            } catch (RuntimeException e) {
                replicas.forEach(LoadedModel::close);
                states.put(name, ModelState.FAILED);
                failures.put(name, e.getMessage() == null ? e.toString() : e.getMessage());
                log.error("model {} failed to load from {}", name, entry.path(), e);
                throw new ServiceException(ErrorKind.CONFLICT, "path", "model '" + name + "' cannot be loaded: "
                        + failures.get(name));
            }
            return view(entry(name));
        }
    }

    /** Stops the model's workers (requests still running on them fail) and frees its weights. */
    public ModelView unload(String name) {
        synchronized (lock(name)) {
            ModelEntry entry = entry(name);
            if (entry.loaded()) {
                tx.executeWithoutResult(status -> {
                    ModelEntry fresh = entry(name);
                    fresh.loaded(false);
                    repository.save(fresh);
                });
            }
            stop(name);
            return view(entry(name));
        }
    }

    public void delete(String name) {
        synchronized (lock(name)) {
            tx.executeWithoutResult(status -> {
                ModelEntry entry = entry(name);
                List<ModelEntry> partners = repository.findByDraftPartner(name);
                if (!partners.isEmpty()) {
                    throw new ServiceException(ErrorKind.CONFLICT, "name", "model '" + name
                            + "' is the draft partner of " + partners.stream().map(ModelEntry::name).toList()
                            + "; change their draft_partner first");
                }
                repository.delete(entry);
            });
            stop(name);
            states.remove(name);
            failures.remove(name);
        }
    }

    /** Loads, at start, every model whose desired state is loaded; one failure does not stop the rest. */
    public void loadAtStart() {
        for (ModelEntry entry : repository.findAllByOrderByNameAsc()) {
            states.putIfAbsent(entry.name(), ModelState.UNLOADED);
        }
        for (String name : loadOnStartNames()) {
            try {
                load(name);
            } catch (ServiceException e) {
                log.warn("{}", e.getMessage());
            }
        }
    }

    private void stop(String name) {
        ServedModel model = served.remove(name);
        states.put(name, ModelState.UNLOADED);
        if (model != null) {
            events.publishEvent(new ModelLifecycleEvent(model, false));
            model.close();
            log.info("model {} unloaded", name);
        }
    }

    private ModelEntry entry(String name) {
        return repository.findById(name).orElseThrow(() -> new ServiceException(ErrorKind.MODEL_NOT_FOUND, "name",
                "model '" + name + "' is not registered"));
    }

    private Object lock(String name) {
        return locks.computeIfAbsent(name, n -> new Object());
    }

    private ModelView view(ModelEntry entry) {
        ServedModel model = served.get(entry.name());
        ModelState state = model != null ? ModelState.LOADED : states.getOrDefault(entry.name(), ModelState.UNLOADED);
        return new ModelView(entry.name(), entry.path(),
                entry.capabilities().stream().sorted().map(Capability::id).toList(), entry.draftPartner(),
                entry.loaded(), state.id(), state == ModelState.FAILED ? failures.get(entry.name()) : null,
                model == null ? null : model.contextLength(),
                model == null ? null : (model.chatTemplate().isDefault() ? "default" : "model"),
                model == null ? List.of() : model.workerStats(), entry.createdAt(), entry.updatedAt());
    }

    private static Path checkFolder(String path) {
        if (path == null || path.isBlank()) {
            throw ServiceException.invalid("path", "path must name a Hugging Face model folder");
        }
        Path folder;
        try {
            folder = BundledModels.resolve(path).toAbsolutePath().normalize();
        } catch (ModelLoadException e) {
            throw ServiceException.invalid("path", e.getMessage());
        } catch (InvalidPathException e) {
            throw ServiceException.invalid("path", "path '" + path + "' is not a valid path: " + e.getMessage());
        }
        if (!Files.isDirectory(folder)) {
            throw ServiceException.invalid("path", "path '" + path + "' is not a folder on this server");
        }
        try {
            ModelConfig.load(folder);
        } catch (ModelLoadException e) {
            throw ServiceException.invalid("path", e.getMessage());
        }
        if (!Files.isRegularFile(folder.resolve("tokenizer.json"))) {
            throw ServiceException.invalid("path", "path '" + path + "' has no tokenizer.json");
        }
        return folder;
    }

    private static Set<Capability> parseCapabilities(List<String> ids) {
        EnumSet<Capability> caps = EnumSet.noneOf(Capability.class);
        if (ids == null) {
            return caps;
        }
        for (int i = 0; i < ids.size(); i++) {
            String id = ids.get(i);
            int index = i;
            caps.add(Capability.parse(id).orElseThrow(() -> ServiceException.invalid("capabilities[" + index + "]",
                    "unknown capability '" + id + "' (known: apar, cllm)")));
        }
        return caps;
    }

    private void checkDraftPartner(String name, String draftPartner) {
        if (draftPartner == null) {
            return;
        }
        if (draftPartner.equals(name)) {
            throw ServiceException.invalid("draft_partner", "a model cannot be its own draft partner");
        }
        if (!repository.existsById(draftPartner)) {
            throw ServiceException.invalid("draft_partner", "draft partner '" + draftPartner + "' is not registered");
        }
    }

    @Override
    public void close() {
        for (String name : List.copyOf(served.keySet())) {
            ServedModel model = served.remove(name);
            if (model != null) {
                model.close();
            }
        }
    }
}
