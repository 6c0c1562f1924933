package dev.uvtcp.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.uvtcp.Loop;
import dev.uvtcp.Tcp;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The objects a user holds, a handle and its loop, have no public method beyond their API
 * interface: the native layer's up-calls go to a private per-loop object and find the handle
 * by its id, so nobody can call {@code onRead} or {@code onClose} on a handle.
 */
class HandlesCarryNoUpcallsTest {

    @Test
    void aHandleAndItsLoopExposeOnlyTheirApiMethods() throws Exception {
        try (StandaloneTcpService service = TestSupport.startService("noupcall")) {
            Tcp tcp = service.newTcp();
            assertThat(publicMethodsBeyond(tcp.getClass(), Tcp.class)).isEmpty();
            assertThat(publicMethodsBeyond(tcp.loop().getClass(), Loop.class)).isEmpty();
            assertThat(tcp.getClass().getSuperclass().getSuperclass().getSuperclass())
                    .as("the handle class hierarchy ends in Object")
                    .isEqualTo(Object.class);
        }
    }

    @Test
    void aHandlesIdComesFromTheIntrospectionAndMatchesItsLabel() throws Exception {
        try (StandaloneTcpService service = TestSupport.startService("handleid")) {
            Tcp tcp = service.newTcp();
            assertThat(tcp.toString()).isEqualTo("tcp#" + RuntimeIntrospection.handleId(tcp));
            Tcp other = service.newTcp();
            assertThat(RuntimeIntrospection.handleId(other))
                    .isNotEqualTo(RuntimeIntrospection.handleId(tcp));
        }
        assertThatThrownBy(() -> RuntimeIntrospection.handleId(null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a uvtcp handle");
    }

    private static boolean declaredByObject(Method m) {
        try {
            Object.class.getMethod(m.getName(), m.getParameterTypes());
            return true;
        } catch (NoSuchMethodException notObjects) {
            return false;
        }
    }

    private static List<String> publicMethodsBeyond(Class<?> type, Class<?> api) {
        List<String> extra = new ArrayList<>();
        for (Method m : type.getMethods()) {
            if (m.getDeclaringClass() == Object.class || declaredByObject(m)) {
                continue;
            }
            try {
                api.getMethod(m.getName(), m.getParameterTypes());
            } catch (NoSuchMethodException notInApi) {
                extra.add(m.toString());
            }
        }
        return extra;
    }
}
