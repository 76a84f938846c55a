import { clickstream } from '../../pipelines/clickstream';
import { lambdaProcessorHandler } from './lambda-processor';

/** Processor of the clickstream pipeline (MSK event source mapping target). */
export const handler = lambdaProcessorHandler(clickstream);
