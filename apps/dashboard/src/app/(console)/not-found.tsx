import Link from 'next/link';

export default function NotFound() {
  return (
    <>
      <h1>Not found</h1>
      <p>
        There is no such job or page. <Link href="/jobs">Back to the jobs</Link>.
      </p>
    </>
  );
}
