package dev.uvtcp.itest.payara;

import fish.payara.micro.PayaraMicro;
import fish.payara.micro.PayaraMicroRuntime;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * Runs in the Payara Micro JVM that {@link PayaraMicroTest} starts: boots Payara Micro with
 * the command-line arguments given (exactly as {@code java -jar payara-micro.jar ARGS} does),
 * then takes commands on standard input so that the test can stop and start the application
 * while the JVM lives on: {@code undeploy NAME}, {@code deploy FILE}, {@code exit}. Each
 * command is answered with one line starting {@code done} or {@code failed}. End of input
 * shuts Payara Micro down.
 */
public final class MicroDriver {

    private MicroDriver() {
    }

    /**
     * @param args Payara Micro's command-line arguments
     * @throws Exception if it cannot boot
     */
    public static void main(String[] args) throws Exception {
        PayaraMicro.main(args);
        PayaraMicroRuntime runtime = PayaraMicro.getInstance().getRuntime();
        System.out.println("driver: ready " + runtime.getDeployedApplicationNames());
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in,
                StandardCharsets.UTF_8));
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            String[] command = line.trim().split(" ", 2);
            try {
                switch (command[0]) {
                    case "undeploy":
                        runtime.undeploy(command[1]);
                        System.out.println("driver: done " + line + " "
                                + runtime.getDeployedApplicationNames());
                        break;
                    case "deploy":
                        boolean deployed = runtime.deploy(new File(command[1]));
                        System.out.println("driver: " + (deployed ? "done " : "failed ") + line);
                        break;
                    case "exit":
                        System.out.println("driver: done exit");
                        PayaraMicro.getInstance().shutdown();
                        System.exit(0);
                        break;
                    default:
                        System.out.println("driver: failed unknown command " + line);
                }
            } catch (RuntimeException e) {
                System.out.println("driver: failed " + line + ": " + e);
            }
        }
        PayaraMicro.getInstance().shutdown();
        System.exit(0);
    }
}
