/** A form field as text: '' when missing or a file (a file where text belongs is not text). */
export function formText(form: FormData, name: string): string {
  const value = form.get(name);
  return typeof value === 'string' ? value : '';
}
