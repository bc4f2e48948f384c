package dev.budgateway.server;

import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.StackTraceElementProxy;
import ch.qos.logback.core.LayoutBase;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.time.Instant;

/**
 * The gateway's log lines: text ({@code BUDGATEWAY_LOG_FORMAT=text}, the default) or one JSON object a line
 * ({@code json}), for log pipelines that parse them: {@code time}, {@code level}, {@code logger}, {@code thread},
 * {@code message}, and for a failure its {@code error} (type and message) and {@code stack}. One layout with a
 * format, rather than an appender per format, so the configuration names no appender it leaves unused.
 */
public final class LogLayout extends LayoutBase<ILoggingEvent> {

    static final String TEXT_PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level [%thread] %logger{36} - %msg%n";
    private static final JsonFactory JSON = new JsonFactory();

    private boolean json;
    private PatternLayout text;

    /** {@code text} or {@code json}; anything else is text. */
    public void setFormat(String format) {
        json = "json".equalsIgnoreCase(format == null ? "" : format.strip());
    }

    @Override
    public void start() {
        text = new PatternLayout();
        text.setContext(getContext());
        text.setPattern(TEXT_PATTERN);
        text.start();
        super.start();
    }

    @Override
    public void stop() {
        if (text != null) {
            text.stop();
        }
        super.stop();
    }

    @Override
    public String doLayout(ILoggingEvent event) {
        return json ? jsonLine(event) : text.doLayout(event);
    }

    private static String jsonLine(ILoggingEvent event) {
        StringWriter out = new StringWriter(256);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("time", Instant.ofEpochMilli(event.getTimeStamp()).toString());
            g.writeStringField("level", event.getLevel().toString());
            g.writeStringField("logger", event.getLoggerName());
            g.writeStringField("thread", event.getThreadName());
            g.writeStringField("message", event.getFormattedMessage());
            IThrowableProxy t = event.getThrowableProxy();
            if (t != null) {
                g.writeStringField("error", t.getClassName() + (t.getMessage() == null ? "" : ": " + t.getMessage()));
                StringBuilder stack = new StringBuilder();
                for (IThrowableProxy cause = t; cause != null; cause = cause.getCause()) {
                    if (cause != t) {
                        stack.append("caused by ").append(cause.getClassName()).append('\n');
                    }
                    for (StackTraceElementProxy frame : cause.getStackTraceElementProxyArray()) {
                        stack.append("\tat ").append(frame.getStackTraceElement()).append('\n');
                    }
                }
                g.writeStringField("stack", stack.toString());
            }
            g.writeEndObject();
        } catch (IOException e) {
            return "{\"level\":\"ERROR\",\"message\":\"a log line could not be written as JSON\"}\n";
        }
        return out.append('\n').toString();
    }
}
