package dev.braid.registry;

import dev.braid.decoding.sgd.DraftRoute;
import dev.braid.worker.PoolDraftRoute;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collections;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * A served model's draft partner as SGD may use it: registered as its {@code draft_partner}, loaded
 * on this replica and speaking the same tokens (equal vocabulary size and an identical
 * {@code tokenizer.json}). Anything else means no route, and SGD decodes every point on the target;
 * the trace's node models show which happened. The lookup is a map read, safe on the event loop:
 * tokenizer fingerprints are taken when a model loads.
 */
@Component
public class DraftPartners {

    private static final Logger log = LoggerFactory.getLogger(DraftPartners.class);

    /** What two models must share for one to draft for the other. */
    record Vocabulary(int size, String tokenizerDigest) {
    }

    private final ModelRegistry registry;
    private final Map<ServedModel, Vocabulary> vocabularies = Collections.synchronizedMap(new WeakHashMap<>());
    private final Set<String> warned = ConcurrentHashMap.newKeySet();

    public DraftPartners(ModelRegistry registry) {
        this.registry = registry;
    }

    @EventListener
    void on(ModelLifecycleEvent event) {
        if (event.loaded()) {
            vocabulary(event.model());
        } else {
            vocabularies.remove(event.model());
        }
    }

    /** The loaded, compatible partner of {@code target}, if it has one. */
    public Optional<ServedModel> partnerOf(ServedModel target) {
        String name = target.draftPartner();
        if (name == null) {
            return Optional.empty();
        }
        Optional<ServedModel> partner = registry.served(name);
        if (partner.isEmpty()) {
            return Optional.empty(); // not loaded here: the target decodes every point
        }
        Vocabulary ours = vocabulary(target);
        Vocabulary theirs = vocabulary(partner.get());
        String mismatch = ours.size() != theirs.size()
                ? "a vocabulary of " + theirs.size() + " tokens, not " + ours.size()
                : ours.tokenizerDigest() == null || !ours.tokenizerDigest().equals(theirs.tokenizerDigest())
                ? "a different tokenizer.json" : null;
        if (mismatch != null) {
            if (warned.add(target.name() + "\n" + name + "\n" + mismatch)) {
                log.warn("draft partner {} of model {} has {}: SGD writes every point on {} itself",
                        name, target.name(), mismatch, target.name());
            }
            return Optional.empty();
        }
        return partner;
    }

    /** A route to {@code target}'s partner's workers, or empty when SGD must not use one. */
    public Optional<DraftRoute> routeFor(ServedModel target) {
        return partnerOf(target).map(DraftPartners::routeTo);
    }

    private Vocabulary vocabulary(ServedModel model) {
        Vocabulary known = vocabularies.get(model);
        if (known != null) {
            return known;
        }
        Vocabulary computed = new Vocabulary(model.model().config().vocabSize(),
                digest(model.model().folder().resolve("tokenizer.json")));
        vocabularies.put(model, computed);
        return computed;
    }

    /** SHA-256 of the file, or null when it cannot be read (then no partner matches). */
    static String digest(Path file) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (IOException e) {
            log.warn("cannot read {} to compare tokenizers: {}", file, e.getMessage());
            return null;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A route to {@code partner}'s workers. */
    static PoolDraftRoute routeTo(ServedModel partner) {
        return new PoolDraftRoute(partner.name(), partner.pool(), partner.model().tokenizer());
    }
}
