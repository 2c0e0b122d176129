// Entry point for the Pulumi CLI (`pulumi up -s <stack>`). The CLI calls the exported function and
// turns its result into stack outputs; the offline engine (engine/) calls the very same main().
import { main } from "./modules/main";

export = main;
