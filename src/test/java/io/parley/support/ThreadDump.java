package io.parley.support;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Every thread's stack, whole (ThreadInfo.toString stops at eight frames): what a test logs when a step it waits on
 * never ends, so that the build's output says where it hung, not only that it timed out.
 */
public final class ThreadDump {

  private ThreadDump() {
  }

  public static String all() {
    return Arrays.stream(ManagementFactory.getThreadMXBean().dumpAllThreads(true, true))
        .map(ThreadDump::format)
        .collect(Collectors.joining("\n"));
  }

  private static String format(ThreadInfo thread) {
    StringBuilder out = new StringBuilder()
        .append('"').append(thread.getThreadName()).append("\" ").append(thread.getThreadState());
    if (thread.getLockName() != null) {
      out.append(" on ").append(thread.getLockName());
    }
    if (thread.getLockOwnerName() != null) {
      out.append(" held by \"").append(thread.getLockOwnerName()).append('"');
    }
    out.append('\n');
    for (StackTraceElement frame : thread.getStackTrace()) {
      out.append("    at ").append(frame).append('\n');
    }
    return out.toString();
  }
}
