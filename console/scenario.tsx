/**
 * Scenario: the one being played, as YAML to edit and play again; the ready-made ones to start from; a reset.
 * An invalid scenario's error is shown under the editor and its line is marked and selected in it.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { get, post, putText } from './api.js';
import type { Live } from './live.js';
import { ErrorNote, useAction, useLoad } from './ui.js';

interface ReadyScenario {
  file: string;
  name: string | null;
  description: string | null;
  text: string;
}

/** The line an error names, as the sandbox writes it: "… (line 4)". */
const lineOf = (error: string | undefined) => Number(/\(line (\d+)\)$/.exec(error ?? '')?.[1]) || undefined;

export function ScenarioView({ live }: { live: Live }) {
  const playing = useLoad(() => get<string>('/__sandbox/scenario?format=yaml'), [live.generation]);
  const ready = useLoad(() => get<{ scenarios: ReadyScenario[] }>('/__sandbox/scenarios'), []);
  const [text, setText] = useState<string>();
  const [edited, setEdited] = useState(false);
  const [chosen, setChosen] = useState('');
  const [done, setDone] = useState('');
  const play = useAction();
  const reset = useAction();
  const editor = useRef<HTMLTextAreaElement>(null);

  // What is played comes back after a load or reset, unless the user is editing.
  useEffect(() => {
    if (!edited && playing.data !== undefined) setText(playing.data);
  }, [playing.data, edited]);

  const errorLine = lineOf(play.error);
  useEffect(() => {
    const area = editor.current;
    if (!area || errorLine === undefined) return;
    const lines = area.value.split('\n');
    const start = lines.slice(0, errorLine - 1).reduce((sum, line) => sum + line.length + 1, 0);
    area.focus();
    area.setSelectionRange(start, start + (lines[errorLine - 1]?.length ?? 0));
  }, [errorLine, play.error]);

  const choose = (file: string) => {
    setChosen(file);
    const scenario = ready.data?.scenarios.find((s) => s.file === file);
    if (!scenario) return;
    setText(scenario.text);
    setEdited(true);
    play.clear();
  };
  const submit = async (event: Event) => {
    event.preventDefault();
    setDone('');
    if (await play.run(() => putText('/__sandbox/scenario', text ?? '', 'application/yaml'))) {
      setEdited(false);
      setDone('Playing it, from its initial world.');
    }
  };
  const lineCount = (text ?? '').split('\n').length;
  return (
    <section class="scenario" aria-label="Scenario">
      <div class="toolbar">
        <label>
          Start from a ready-made scenario{' '}
          <select value={chosen} onChange={(e) => choose((e.target as HTMLSelectElement).value)}>
            <option value="">—</option>
            {ready.data?.scenarios.map((s) => (
              <option value={s.file} title={s.description ?? ''}>
                {s.file}
              </option>
            ))}
          </select>
        </label>
        <button
          type="button"
          onClick={() => {
            setEdited(false);
            setChosen('');
            play.clear();
            playing.reload();
          }}
        >
          Show the one playing
        </button>
        <button type="button" disabled={reset.busy} onClick={() => void reset.run(() => post('/__sandbox/reset'))}>
          Reset the sandbox
        </button>
        <ErrorNote error={reset.error ?? ready.error ?? playing.error} />
      </div>
      {chosen && <p class="muted">{ready.data?.scenarios.find((s) => s.file === chosen)?.description}</p>}
      <form onSubmit={(e) => void submit(e)}>
        <label class="stack" for="scenario-text">
          Scenario (YAML){edited ? ' — edited, not played yet' : ''}
        </label>
        <div class="editor">
          <pre class="gutter" aria-hidden="true">
            {Array.from({ length: lineCount }, (_, i) => (
              <span class={i + 1 === errorLine ? 'bad' : ''}>{i + 1}</span>
            ))}
          </pre>
          <textarea
            id="scenario-text"
            ref={editor}
            spellcheck={false}
            value={text ?? ''}
            rows={Math.min(40, Math.max(12, lineCount + 1))}
            aria-invalid={play.error ? true : undefined}
            aria-describedby={play.error ? 'scenario-error' : undefined}
            onInput={(e) => {
              setText((e.target as HTMLTextAreaElement).value);
              setEdited(true);
            }}
          />
        </div>
        <ErrorNote error={play.error} id="scenario-error" />
        <div class="toolbar">
          <button type="submit" disabled={play.busy}>
            Play this scenario
          </button>
          <span role="status">{done}</span>
        </div>
      </form>
    </section>
  );
}
