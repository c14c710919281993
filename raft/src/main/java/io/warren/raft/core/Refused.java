package io.warren.raft.core;

import io.warren.proto.Refusal;

/**
 * A command the core refuses: an ordinary outcome (DESIGN invariant 8), thrown inside a handler before
 * it changes anything and turned into a {@link Refusal} reply by {@link BrokerCore}. Carries no stack
 * trace: it is control flow, not a fault.
 */
final class Refused extends RuntimeException {
    private static final long serialVersionUID = 1L;

    final int code;
    final int classId;
    final int methodId;

    Refused(int code, String text, int classId, int methodId) {
        super(text, null, false, false);
        this.code = code;
        this.classId = classId;
        this.methodId = methodId;
    }

    Refusal toRefusal() {
        return Refusal.newBuilder().setCode(code).setText(getMessage()).setClassId(classId).setMethodId(methodId)
                .build();
    }
}
