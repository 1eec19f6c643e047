import { ReactNode } from 'react';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';

const useStyles = makeStyles(theme => ({
  list: {
    display: 'grid',
    gridTemplateColumns: 'max-content minmax(0, 1fr)',
    columnGap: theme.spacing(2),
    rowGap: theme.spacing(0.5),
    margin: 0,
  },
  term: {
    color: theme.palette.text.secondary,
  },
  value: {
    margin: 0,
    overflowWrap: 'anywhere',
  },
}));

export interface Fact {
  label: string;
  value: ReactNode;
}

/** Label/value pairs as a description list, so screen readers pair them. */
export function Facts(props: { facts: Fact[]; 'aria-label'?: string }) {
  const classes = useStyles();
  return (
    <dl className={classes.list} aria-label={props['aria-label']}>
      {props.facts.map(fact => (
        <FactRow key={fact.label} fact={fact} classes={classes} />
      ))}
    </dl>
  );
}

function FactRow(props: { fact: Fact; classes: ReturnType<typeof useStyles> }) {
  return (
    <>
      <Typography component="dt" variant="body2" className={props.classes.term}>
        {props.fact.label}
      </Typography>
      <Typography
        component="dd"
        variant="body2"
        className={props.classes.value}
      >
        {props.fact.value}
      </Typography>
    </>
  );
}
