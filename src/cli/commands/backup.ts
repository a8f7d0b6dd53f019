import { operatorCommand } from "../operator-command.js";

export const command = operatorCommand("backup");
