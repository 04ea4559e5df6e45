import { redirect } from 'next/navigation';
import { requireSession } from '../server/session.ts';

export default async function Home(): Promise<never> {
  await requireSession();
  redirect('/jobs');
}
