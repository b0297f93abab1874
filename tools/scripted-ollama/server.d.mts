// Types for server.mjs (scripted Ollama-protocol server for tests and demos).

export type ScriptedReply =
  | string
  | {
      text?: string;
      /** Instead of text: answer with this value's JSON text (a structured-output reply). */
      json?: unknown;
      /** Wait before answering at all (headers included). */
      delayMs?: number;
      /** Answer with this HTTP status and {"error": text}. */
      status?: number;
      /** Wait between streamed chunks. */
      chunkDelayMs?: number;
      /** Send about half of the answer, then drop the connection. */
      hangup?: true;
    };

export interface ScriptedOllamaScript {
  models: Array<{ name: string; digest?: string; size?: number; parameter_size?: string; quantization_level?: string; modified_at?: string }>;
  rules?: Array<{ match?: { model?: string; contains?: string }; reply: ScriptedReply | ScriptedReply[] }>;
  default?: ScriptedReply | ScriptedReply[];
}

export interface RecordedRequest {
  method: string;
  path: string;
  body: unknown;
}

export interface ScriptedOllama {
  url: string;
  port: number;
  requests: RecordedRequest[];
  reset(): void;
  close(): Promise<void>;
}

export function startScriptedOllama(options: {
  /** The script itself, or the path of a JSON file holding it. */
  script: ScriptedOllamaScript | string;
  port?: number;
  host?: '127.0.0.1' | '::1' | 'localhost';
}): Promise<ScriptedOllama>;
