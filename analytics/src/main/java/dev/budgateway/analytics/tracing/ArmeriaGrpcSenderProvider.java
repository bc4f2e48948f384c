package dev.budgateway.analytics.tracing;

import io.opentelemetry.sdk.common.export.GrpcSender;
import io.opentelemetry.sdk.common.export.GrpcSenderConfig;
import io.opentelemetry.sdk.common.export.GrpcSenderProvider;

/** Found by the OTLP exporter through {@link java.util.ServiceLoader}: its gRPC transport is Armeria. */
public final class ArmeriaGrpcSenderProvider implements GrpcSenderProvider {

    @Override
    public GrpcSender createSender(GrpcSenderConfig config) {
        return new ArmeriaGrpcSender(config);
    }
}
