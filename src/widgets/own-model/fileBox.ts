/**
 * The file picker and drop zone of "Your own model": one input for model.safetensors and
 * one for config.json, and a zone that takes either or both dropped at once. It says
 * plainly that nothing is uploaded. File names are shown as text, never as markup.
 */
export class FileBox {
  readonly element = document.createElement('div');
  private readonly model = document.createElement('input');
  private readonly configInput = document.createElement('input');
  private readonly summary = document.createElement('div');
  private readonly error = document.createElement('p');
  private dropped: { model?: File; config?: File } = {};

  constructor(private readonly onFiles: (model: File | undefined, config: File | undefined) => void) {
    const el = this.element;
    el.className = 'own-files';
    const privacy = document.createElement('p');
    privacy.className = 'own-privacy';
    privacy.textContent =
      'Your file never leaves this device: the page reads it in your browser (in a worker), and nothing is uploaded. Drop model.safetensors (and config.json, if you have it) here, or choose them below.';
    const field = (input: HTMLInputElement, id: string, label: string, accept: string): HTMLElement => {
      const wrap = document.createElement('div');
      wrap.className = 'widget-field';
      const l = document.createElement('label');
      l.htmlFor = id;
      l.textContent = label;
      input.type = 'file';
      input.id = id;
      input.accept = accept;
      input.addEventListener('change', () => {
        this.dropped = {};
        this.onFiles(this.model.files?.[0], this.configInput.files?.[0]);
      });
      wrap.append(l, input);
      return wrap;
    };
    this.error.className = 'own-file-error';
    this.error.setAttribute('role', 'alert');
    this.summary.className = 'own-summary';
    el.append(
      privacy,
      field(this.model, 'own-file', 'model.safetensors (GPT-2 weights)', '.safetensors'),
      field(this.configInput, 'own-config', 'config.json (optional)', '.json,application/json'),
      this.error,
      this.summary,
    );
    el.addEventListener('dragover', (e) => {
      e.preventDefault();
      el.classList.add('own-drag');
    });
    el.addEventListener('dragleave', () => el.classList.remove('own-drag'));
    el.addEventListener('drop', (e) => {
      e.preventDefault();
      el.classList.remove('own-drag');
      const files = [...(e.dataTransfer?.files ?? [])];
      const config = files.find((f) => /\.json$/i.test(f.name));
      const model = files.find((f) => f !== config);
      this.dropped = { model: model ?? this.dropped.model, config: config ?? this.dropped.config };
      this.onFiles(this.dropped.model ?? this.model.files?.[0], this.dropped.config ?? this.configInput.files?.[0]);
    });
  }

  /** The config.json chosen or dropped last, if any. */
  get config(): File | undefined {
    return this.dropped.config ?? this.configInput.files?.[0];
  }

  showError(text: string): void {
    this.error.textContent = text;
  }

  showSummary(content: HTMLElement | undefined): void {
    this.summary.replaceChildren(...(content ? [content] : []));
  }
}
