// How traced methods are named in spans: `Class.method`, `Class.get x`.

function keyName(key: string | symbol): string {
  return typeof key === 'symbol' ? `[${key.description ?? ''}]` : key;
}

function accessorPrefix(kind: string): string {
  return kind === 'get' || kind === 'getter'
    ? 'get '
    : kind === 'set' || kind === 'setter'
      ? 'set '
      : '';
}

/** `Class.method`, `Class.get x` or `Class.set x`: a traced call's name. */
function methodSpanName(
  className: string | undefined,
  kind: string,
  key: string | symbol,
): string {
  return `${className}.${accessorPrefix(kind)}${keyName(key)}`;
}

export { keyName, accessorPrefix, methodSpanName };
